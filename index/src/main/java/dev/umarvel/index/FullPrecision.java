package dev.umarvel.index;

import java.io.IOException;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;

/**
 * Scores from the stored float vectors of {@link LuceneIndex}'s vector field, where its graph does not give the answer: a
 * selective filter scored exactly, and the int8 graph's candidates rescored. Scores are Lucene's for a dot product,
 * (1 + p) / 2, as the graph search returns them.
 */
final class FullPrecision {

    private FullPrecision() {}

    /** Every live document matching {@code restriction} scored against {@code unitQuery}; the best {@code n}, scored as the graph scores. */
    static TopDocs exact(IndexSearcher searcher, String field, float[] unitQuery, int n, Query restriction) throws IOException {
        Weight weight = searcher.createWeight(searcher.rewrite(restriction), ScoreMode.COMPLETE_NO_SCORES, 1);
        PriorityQueue<ScoreDoc> best = new PriorityQueue<>(n + 1, (a, b) -> a.score != b.score ? Float.compare(a.score, b.score)
                : Integer.compare(b.doc, a.doc));
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            Scorer matching = weight.scorer(leaf);
            FloatVectorValues vectors = leaf.reader().getFloatVectorValues(field);
            if (matching == null || vectors == null) {
                continue;
            }
            Bits live = leaf.reader().getLiveDocs();
            DocIdSetIterator docs = matching.iterator();
            for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                if (live != null && !live.get(doc) || vectors.advance(doc) != doc) {
                    continue;
                }
                best.add(new ScoreDoc(leaf.docBase + doc, VectorSimilarityFunction.DOT_PRODUCT.compare(unitQuery, vectors.vectorValue())));
                if (best.size() > n) {
                    best.poll();
                }
            }
        }
        ScoreDoc[] out = new ScoreDoc[best.size()];
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = best.poll();
        }
        return new TopDocs(new org.apache.lucene.search.TotalHits(out.length, org.apache.lucene.search.TotalHits.Relation.EQUAL_TO), out);
    }

    /**
     * The graph's candidates scored again with their full-precision vectors, best first: a quantised index ranks by
     * 7-bit scores (off by a few hundredths of a cosine), and the caller's recall scores, AUTO's margins and the cascade's
     * fusion need the true ones.
     */
    static TopDocs rescored(IndexSearcher searcher, String field, float[] unitQuery, TopDocs top) throws IOException {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        ScoreDoc[] docs = top.scoreDocs.clone();
        java.util.Arrays.sort(docs, java.util.Comparator.comparingInt(d -> d.doc)); // forward-only iterators, per leaf
        FloatVectorValues vectors = null;
        int leafAt = -1;
        for (ScoreDoc d : docs) {
            int at = ReaderUtil.subIndex(d.doc, leaves);
            if (at != leafAt) {
                leafAt = at;
                vectors = leaves.get(at).reader().getFloatVectorValues(field);
            }
            int doc = d.doc - leaves.get(at).docBase;
            if (vectors != null && vectors.advance(doc) == doc) {
                d.score = VectorSimilarityFunction.DOT_PRODUCT.compare(unitQuery, vectors.vectorValue());
            }
        }
        java.util.Arrays.sort(docs, (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
        return new TopDocs(top.totalHits, docs);
    }
}
