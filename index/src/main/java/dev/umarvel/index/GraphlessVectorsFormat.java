package dev.umarvel.index;

import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.hnsw.FlatVectorsReader;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

/**
 * Vectors written without a graph: the segments a bulk write leaves ({@link LuceneIndex#bulkWrite()}). An HNSW segment
 * builds its graph as its vectors arrive and every merge builds one again, so a 1M import paid for each vector's
 * insertion at least twice; segments of this format are only their vectors (Lucene's flat format), merged by copying, and
 * the graph is built once, by all merge workers, when the index is compacted. Until then a search scores every vector
 * of such a segment, exact and slower.
 *
 * <p>Read back by name through Lucene's SPI (META-INF/services), as a segment records its format's name.
 */
public final class GraphlessVectorsFormat extends KnnVectorsFormat {

    /** The name segments record; changing it orphans every index written with it. */
    public static final String NAME = "UmarvelGraphless";
    /** A segment attribute marking a segment written in this format, for the merge policy (it sees no field's format). */
    private static final String MARK = "umarvel.graphless";

    private final FlatVectorsFormat flat = new Lucene99FlatVectorsFormat(FlatVectorScorerUtil.getLucene99FlatVectorsScorer());

    public GraphlessVectorsFormat() {
        super(NAME);
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        state.segmentInfo.putAttribute(MARK, "true");
        return flat.fieldsWriter(state);
    }

    /** Whether the segment's vectors were written without a graph. */
    static boolean holds(SegmentCommitInfo segment) {
        return segment.info.getAttribute(MARK) != null;
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        return new ExactReader(flat.fieldsReader(state));
    }

    @Override
    public int getMaxDimensions(String field) {
        return DEFAULT_MAX_DIMENSIONS;
    }

    /** Lucene's flat reader answers a search with nothing (it has no graph); this one scores every live vector. */
    private static final class ExactReader extends KnnVectorsReader {
        private final FlatVectorsReader vectors;

        ExactReader(FlatVectorsReader vectors) {
            this.vectors = vectors;
        }

        @Override
        public void search(String field, float[] target, KnnCollector collector, Bits acceptDocs) throws IOException {
            scoreAll(vectors.getRandomVectorScorer(field, target), collector, acceptDocs);
        }

        @Override
        public void search(String field, byte[] target, KnnCollector collector, Bits acceptDocs) throws IOException {
            scoreAll(vectors.getRandomVectorScorer(field, target), collector, acceptDocs);
        }

        /**
         * Every accepted vector, in order; stops where the collector's visit limit is reached, which tells a filtered
         * query to score its filter's documents exactly instead.
         */
        private static void scoreAll(RandomVectorScorer scorer, KnnCollector collector, Bits acceptDocs) throws IOException {
            if (scorer == null) { // no vector of this field in the segment
                return;
            }
            Bits accepted = scorer.getAcceptOrds(acceptDocs);
            for (int ord = 0; ord < scorer.maxOrd() && !collector.earlyTerminated(); ord++) {
                if (accepted == null || accepted.get(ord)) {
                    collector.incVisitedCount(1);
                    collector.collect(scorer.ordToDoc(ord), scorer.score(ord));
                }
            }
        }

        @Override
        public void checkIntegrity() throws IOException {
            vectors.checkIntegrity();
        }

        @Override
        public FloatVectorValues getFloatVectorValues(String field) throws IOException {
            return vectors.getFloatVectorValues(field);
        }

        @Override
        public ByteVectorValues getByteVectorValues(String field) throws IOException {
            return vectors.getByteVectorValues(field);
        }

        @Override
        public long ramBytesUsed() {
            return vectors.ramBytesUsed();
        }

        @Override
        public void close() throws IOException {
            vectors.close();
        }
    }
}
