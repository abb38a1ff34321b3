package dev.umarvel.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.MultiTerms;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * The embedded index: Lucene HNSW on disk under the store. Every upsert and delete is committed
 * before it returns (Lucene's commit fsyncs the segments and then the commit point), so after a
 * {@code kill -9} the index reopens at the last commit with every acknowledged write in it.
 *
 * <p>Each commit leaves a small segment, and each segment is searched as a graph of its own: after a bulk write the
 * caller {@linkplain #compact() compacts} the index into one. While a {@linkplain #bulkWrite() bulk write} lasts, new
 * segments hold no graph ({@link GraphlessVectorsFormat}: searched exactly meanwhile) and the compaction builds the one
 * graph with all merge workers: in one run a 1M import was acknowledged 16x faster (30,740 against 1,885 vectors/s) and
 * was one graph 2.3x sooner (docs/benchmarks.md). HNSW is approximate; searches over-fetch
 * ({@code max(k, efSearch)} candidates, best k kept), which is what holds recall@10 against exact search (the contract
 * test; docs/benchmarks.md has the curve at 10k to 1M). A filter matching few candidates is searched exactly instead.
 */
public final class LuceneIndex implements VectorIndex {

    /**
     * Threads that build a merged segment's graph: both cores of a small machine. Merges run in the background
     * (Lucene's ConcurrentMergeScheduler), so a search never waits for one.
     */
    private static final int MERGE_WORKERS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    /** Segments written while a bulk write lasts and no compaction runs: vectors only, their graph built once by compact(). */
    private static final KnnVectorsFormat GRAPHLESS = new GraphlessVectorsFormat();

    static {
        // a segment names its format and Lucene finds it through the service files of its own class loader; where the
        // application's classes have a loader of their own (Quarkus' dev and test modes) that one is searched as well
        KnnVectorsFormat.reloadKnnVectorsFormat(LuceneIndex.class.getClassLoader());
    }

    private static final String DID = "did";
    /** The did again, as doc values: a field of its own, since an index written before it had "did" without doc values. */
    private static final String DID_VALUE = "did_value";
    private static final String VECTOR = "vector";
    private static final String DATASET = "dataset";
    private static final String MODALITY = "modality";
    private static final String POOL = "pool";
    private static final String CONTENT = "content";

    private final int dimension;
    private final HnswSettings settings;
    private final FSDirectory directory;
    private final ExecutorService mergeWorkers;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private int exactBelow = EXACT_BELOW;
    private final WriteMode mode = new WriteMode();

    /** Opens (or creates) the index in {@code dir}. */
    public LuceneIndex(Path dir, int dimension, HnswSettings settings) throws IOException {
        this.dimension = dimension;
        this.settings = settings;
        Files.createDirectories(dir);
        this.directory = FSDirectory.open(dir);
        this.mergeWorkers = Executors.newFixedThreadPool(MERGE_WORKERS, r -> {
            Thread t = new Thread(r, "hnsw-merge");
            t.setDaemon(true);
            return t;
        });
        KnnVectorsFormat format = settings.int8()
                ? new Lucene99HnswScalarQuantizedVectorsFormat(settings.maxConnections(), settings.beamWidth(), MERGE_WORKERS, 7, false,
                        null, mergeWorkers)
                : new Lucene99HnswVectorsFormat(settings.maxConnections(), settings.beamWidth(), MERGE_WORKERS, mergeWorkers);
        IndexWriterConfig config = new IndexWriterConfig().setCodec(new Lucene912Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) { // asked as each segment starts being written
                return mode.writesGraphs() ? format : GRAPHLESS;
            }
        }).setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND).setRAMBufferSizeMB(256);
        config.setMergePolicy(mode.servingPolicy());
        this.writer = new IndexWriter(directory, config);
        mode.attach(writer.getConfig());
        this.searchers = new SearcherManager(writer, null);
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public void upsert(List<Entry> entries) throws IOException {
        for (Entry e : entries) {
            if (e.vector().length != dimension) {
                throw new IllegalArgumentException("vector of " + e.did() + ": " + e.vector().length + " values, the index holds "
                        + dimension);
            }
        }
        for (Entry e : entries) {
            Document doc = new Document();
            doc.add(new StringField(DID, e.did(), Field.Store.YES));
            doc.add(new BinaryDocValuesField(DID_VALUE, new BytesRef(e.did()))); // a hit's did without decompressing stored fields
            doc.add(new KnnFloatVectorField(VECTOR, unit(e.vector()), VectorSimilarityFunction.DOT_PRODUCT));
            doc.add(new IntPoint(DATASET, e.datasetId()));
            doc.add(new StoredField(DATASET, e.datasetId()));
            if (e.modality() != null) {
                doc.add(new StringField(MODALITY, e.modality(), Field.Store.YES));
            }
            for (String pool : e.pools()) {
                doc.add(new StringField(POOL, pool, Field.Store.YES)); // stored: a re-index carries the labels over
            }
            if (!e.content().isEmpty()) {
                doc.add(new StoredField(CONTENT, e.content()));
            }
            writer.updateDocument(new Term(DID, e.did()), doc);
        }
        commit();
    }

    @Override
    public void delete(List<String> dids) throws IOException {
        Term[] terms = dids.stream().map(d -> new Term(DID, d)).toArray(Term[]::new);
        writer.deleteDocuments(terms);
        commit();
    }

    private void commit() throws IOException {
        writer.commit();
        searchers.maybeRefreshBlocking();
    }

    @Override
    public List<Hit> search(float[] query, int k, Filter filter) throws IOException {
        return search(query, k, filter, true);
    }

    @Override
    public List<Hit> search(float[] query, int k, Filter filter, boolean withContent) throws IOException {
        return search(query, k, filter, withContent, settings.beam(k));
    }

    /** As {@link #search(float[], int, Filter, boolean)} with the search beam given (the benchmark's recall curve). */
    public List<Hit> search(float[] query, int k, Filter filter, boolean withContent, int beam) throws IOException {
        if (query.length != dimension) {
            throw new IllegalArgumentException("query vector: " + query.length + " values, the index holds " + dimension);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k: must be >= 1, got " + k);
        }
        IndexSearcher searcher = searchers.acquire();
        try {
            int fetch = Math.max(k, beam);
            Query restriction = restriction(filter);
            float[] unitQuery = unit(query);
            TopDocs top = restriction != null && searcher.count(restriction) <= exactBelow
                    ? FullPrecision.exact(searcher, VECTOR, unitQuery, fetch, restriction)
                    : searcher.search(new KnnFloatVectorQuery(VECTOR, unitQuery, fetch, restriction), fetch);
            if (settings.int8()) {
                top = FullPrecision.rescored(searcher, VECTOR, unitQuery, top); // the graph ranked by 7-bit scores: exact ones for what is returned
            }
            List<Hit> hits = new ArrayList<>(Math.min(k, top.scoreDocs.length));
            List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
            for (ScoreDoc d : top.scoreDocs) {
                if (hits.size() == k) {
                    break;
                }
                LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(d.doc, leaves));
                String did = did(leaf, d.doc - leaf.docBase);
                String content = null;
                if (did == null) { // a segment written before dids had doc values
                    Document doc = searcher.storedFields().document(d.doc, java.util.Set.of(DID, CONTENT));
                    did = doc.get(DID);
                    content = doc.get(CONTENT);
                } else if (withContent) {
                    content = leaf.reader().storedFields().document(d.doc - leaf.docBase, java.util.Set.of(CONTENT)).get(CONTENT);
                }
                // Lucene maps a dot product p to (1 + p) / 2; report the inner product itself
                hits.add(new Hit(did, 2 * d.score - 1, content == null ? "" : content));
            }
            return hits;
        } finally {
            searchers.release(searcher);
        }
    }

    /**
     * Filters this selective are searched exactly: the graph search would visit most of the graph looking for the few
     * matching nodes (1M vectors, a pool of 1 %: 14 ms a query; every matching vector scored: about 1 ms).
     */
    static final int EXACT_BELOW = 20_000;

    /** Tests: where filtered searches turn exact (0: never, so the graph's filtered search is what runs). */
    void exactBelow(int matching) {
        this.exactBelow = matching;
    }

    private static String did(LeafReaderContext leaf, int doc) throws IOException {
        BinaryDocValues values = leaf.reader().getBinaryDocValues(DID_VALUE);
        return values != null && values.advanceExact(doc) ? values.binaryValue().utf8ToString() : null;
    }

    @Override
    public BulkWrite bulkWrite() {
        return mode.bulkWrite();
    }

    /** The merge policy in force: a test's view of {@link #bulkWrite()}. */
    MergePolicy mergePolicy() {
        return mode.mergePolicy();
    }

    /**
     * Merges the index down to one segment, in the background threads, and makes the result durable: each segment is
     * searched as a graph of its own, so after a bulk write (an import, a re-index) one segment answers several times
     * faster than tens of small ones. Writes and searches go on meanwhile; a write during the merge leaves a segment beside it.
     */
    @Override
    public void compact() throws IOException {
        mode.compaction(() -> { // what it writes has a graph, even while another bulk write goes on
            writer.forceMerge(1);
            commit();
        });
    }

    @Override
    public boolean awaitsCompaction() throws IOException {
        return vectorFormats().contains(GraphlessVectorsFormat.NAME);
    }

    /** Segments a search visits now. */
    public int segments() throws IOException {
        return read(searcher -> searcher.getIndexReader().leaves().size());
    }

    /** The vectors format of each segment a search visits now, by name: a test's view of what a bulk write leaves. */
    List<String> vectorFormats() throws IOException {
        return read(searcher -> searcher.getIndexReader().leaves().stream()
                .map(l -> l.reader().getFieldInfos().fieldInfo(VECTOR).getAttribute(PerFieldKnnVectorsFormat.PER_FIELD_FORMAT_KEY))
                .toList());
    }

    /** What {@code read} finds in the index as a search sees it now. */
    private <T> T read(Read<T> read) throws IOException {
        IndexSearcher searcher = searchers.acquire();
        try {
            return read.from(searcher);
        } finally {
            searchers.release(searcher);
        }
    }

    private interface Read<T> {
        T from(IndexSearcher searcher) throws IOException;
    }

    private static Query restriction(Filter filter) {
        if (filter == null || filter.isEmpty()) {
            return null;
        }
        BooleanQuery.Builder all = new BooleanQuery.Builder();
        if (!filter.datasetIds().isEmpty()) {
            all.add(IntPoint.newSetQuery(DATASET, filter.datasetIds().stream().mapToInt(Integer::intValue).toArray()),
                    BooleanClause.Occur.FILTER);
        }
        all.add(anyOf(MODALITY, filter.modalities()), BooleanClause.Occur.FILTER);
        all.add(anyOf(POOL, filter.pools()), BooleanClause.Occur.FILTER);
        return all.build();
    }

    /** Matches documents with one of {@code values} in {@code field}; every document when there are none. */
    private static Query anyOf(String field, java.util.Set<String> values) {
        if (values.isEmpty()) {
            return new org.apache.lucene.search.MatchAllDocsQuery();
        }
        BooleanQuery.Builder any = new BooleanQuery.Builder();
        values.forEach(v -> any.add(new TermQuery(new Term(field, v)), BooleanClause.Occur.SHOULD));
        return any.build();
    }

    @Override
    public long size() throws IOException {
        return read(searcher -> (long) searcher.getIndexReader().numDocs());
    }

    @Override
    public long count(Filter filter) throws IOException {
        Query q = restriction(filter);
        return read(searcher -> (long) (q == null ? searcher.getIndexReader().numDocs() : searcher.count(q)));
    }

    @Override
    public java.util.Map<String, String> contents(java.util.Collection<String> dids) throws IOException {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        IndexSearcher searcher = searchers.acquire();
        try {
            for (String did : dids) {
                TopDocs top = searcher.search(new TermQuery(new Term(DID, did)), 1);
                if (top.scoreDocs.length > 0) {
                    String content = searcher.storedFields().document(top.scoreDocs[0].doc, java.util.Set.of(CONTENT)).get(CONTENT);
                    out.put(did, content == null ? "" : content);
                }
            }
            return out;
        } finally {
            searchers.release(searcher);
        }
    }

    @Override
    public List<Stored> page(String afterDid, int limit) throws IOException {
        List<Stored> out = new ArrayList<>();
        IndexSearcher searcher = searchers.acquire();
        try {
            Terms terms = MultiTerms.getTerms(searcher.getIndexReader(), DID);
            if (terms == null) {
                return out;
            }
            TermsEnum dids = terms.iterator();
            TermsEnum.SeekStatus at = dids.seekCeil(new BytesRef(afterDid));
            // the terms of deleted documents stay until a merge: each did is looked up among the live ones
            for (BytesRef t = at == TermsEnum.SeekStatus.END ? null
                    : at == TermsEnum.SeekStatus.FOUND ? dids.next() : dids.term();
                    t != null && out.size() < limit; t = dids.next()) {
                TopDocs top = searcher.search(new TermQuery(new Term(DID, BytesRef.deepCopyOf(t))), 1);
                if (top.scoreDocs.length == 0) {
                    continue;
                }
                Document doc = searcher.storedFields().document(top.scoreDocs[0].doc);
                String content = doc.get(CONTENT);
                out.add(new Stored(doc.get(DID), doc.getField(DATASET).numericValue().intValue(), doc.get(MODALITY),
                        List.of(doc.getValues(POOL)), content == null ? "" : content));
            }
            return out;
        } finally {
            searchers.release(searcher);
        }
    }

    /** A unit-length copy: DOT_PRODUCT needs unit vectors, and cosine is what the embedder means. */
    static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        if (norm == 0) {
            throw new IllegalArgumentException("a zero vector has no direction");
        }
        float inv = (float) (1 / Math.sqrt(norm));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * inv;
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        searchers.close();
        writer.close();
        directory.close();
        mergeWorkers.shutdownNow();
    }
}
