package dev.umarvel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.index.TieredMergePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LuceneIndexTest extends VectorIndexContract {

    @Override
    VectorIndex open(Path dir, int dimension) throws Exception {
        return new LuceneIndex(dir.resolve("lucene"), dimension, HnswSettings.DEFAULT);
    }

    /** Batch {@code b} of the crash test: ten new dids. */
    static List<VectorIndex.Entry> batch(int b) {
        Random r = new Random(b);
        List<VectorIndex.Entry> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add(new VectorIndex.Entry("b" + b + "-" + i, random(r, 16), 0, "text", List.of("all")));
        }
        return out;
    }

    /** Child JVM: upserts batches forever, printing "ACK b" once batch b is acknowledged; inside a bulk write with "bulk". */
    public static void main(String[] args) throws Exception {
        try (VectorIndex index = new LuceneIndex(Path.of(args[0]), 16, HnswSettings.DEFAULT)) {
            if (args.length > 1 && args[1].equals("bulk")) {
                index.bulkWrite(); // its segments have no graph: they must survive the kill as well
            }
            for (int b = 0; ; b++) {
                index.upsert(batch(b));
                System.out.println("ACK " + b);
                System.out.flush();
            }
        }
    }

    @ParameterizedTest(name = "inside a bulk write: {0}")
    @ValueSource(booleans = {false, true})
    void everyAcknowledgedWriteSurvivesAKillMinus9(boolean bulk) throws Exception {
        Path where = dir.resolve("crash-" + bulk);
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LuceneIndexTest.class.getName(), where.toString(), bulk ? "bulk" : "serving")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int acknowledged = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && acknowledged < 25) {
                acknowledged = Integer.parseInt(line.substring(4));
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, possibly in the middle of the next commit
        }
        child.waitFor();
        assertEquals(25, acknowledged);
        try (VectorIndex index = new LuceneIndex(where, 16, HnswSettings.DEFAULT)) {
            long size = index.size();
            assertTrue(size >= 260 && size % 10 == 0, size + " candidates: an acknowledged batch is missing or a batch is partial");
            for (int b = 0; b <= acknowledged; b++) {
                for (VectorIndex.Entry e : batch(b)) {
                    VectorIndex.Hit top = index.search(e.vector(), 1, VectorIndex.Filter.NONE).get(0);
                    assertEquals(e.did(), top.did(), "acknowledged write of " + e.did() + " lost");
                }
            }
        }
    }

    /**
     * After many durable batches (a segment each), compaction leaves one segment that answers exactly what the many did,
     * with every did, score and content; a search without content gives the same dids and scores, content left empty.
     */
    @Test
    void compactionMergesToOneSegmentAndChangesNoAnswer() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir.resolve("compact"), 16, HnswSettings.DEFAULT)) {
            for (int b = 0; b < 30; b++) {
                List<VectorIndex.Entry> entries = new ArrayList<>();
                for (VectorIndex.Entry e : batch(b)) {
                    entries.add(new VectorIndex.Entry(e.did(), e.vector(), 0, "text", e.pools(), "content of " + e.did()));
                }
                index.upsert(entries);
            }
            assertTrue(index.segments() > 1, index.segments() + " segments after 30 commits");
            Random r = new Random(99);
            List<float[]> queries = new ArrayList<>();
            List<List<VectorIndex.Hit>> before = new ArrayList<>();
            for (int q = 0; q < 20; q++) {
                queries.add(random(r, 16));
                before.add(index.search(queries.get(q), 10, VectorIndex.Filter.NONE)); // 300 vectors, beam 200: exact
            }
            index.compact();
            assertEquals(1, index.segments());
            assertEquals(300, index.size());
            for (int q = 0; q < queries.size(); q++) {
                List<VectorIndex.Hit> after = index.search(queries.get(q), 10, VectorIndex.Filter.NONE);
                assertEquals(before.get(q), after, "query " + q);
                assertEquals("content of " + after.get(0).did(), after.get(0).content());
                List<VectorIndex.Hit> bare = index.search(queries.get(q), 10, VectorIndex.Filter.NONE, false);
                assertEquals(after.stream().map(h -> new VectorIndex.Hit(h.did(), h.score(), "")).toList(), bare);
            }
        }
    }

    @Test
    void aBulkWriteHoldsMergesBackUntilItsLastHandleCloses() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir.resolve("bulk"), 16, HnswSettings.DEFAULT)) {
            double serving = ((TieredMergePolicy) index.mergePolicy()).getSegmentsPerTier();
            VectorIndex.BulkWrite first = index.bulkWrite();
            VectorIndex.BulkWrite second = index.bulkWrite(); // two imports into one collection at once
            for (int b = 0; b < 25; b++) {
                index.upsert(batch(b));
            }
            // one segment per commit: 25 is under the bulk policy's 30 a tier, so nothing merged them (10 a tier would)
            assertEquals(25, index.segments());
            assertEquals(30.0, ((TieredMergePolicy) index.mergePolicy()).getSegmentsPerTier());
            first.close();
            first.close(); // closing one handle twice must not end the other import's bulk write
            assertEquals(30.0, ((TieredMergePolicy) index.mergePolicy()).getSegmentsPerTier(), "the second import still writes");
            second.close();
            assertEquals(serving, ((TieredMergePolicy) index.mergePolicy()).getSegmentsPerTier());
            index.compact();
            assertEquals(1, index.segments());
            assertEquals(250, index.size());
        }
    }

    /**
     * A bulk write's segments hold no graph: they answer exactly meanwhile (a search beam of 10 through a graph of 3,000
     * would miss some of the true top 10), within a filter too, also after the index is opened again without the bulk
     * write having ended (a kill mid-import: the format is found by its name); a compaction builds one graph, also while
     * another bulk write goes on, and also when the bulk write left a single segment (which Lucene would leave as it is).
     */
    @Test
    void aBulkWritesSegmentsHaveNoGraphUntilCompactedAndAnswerExactlyMeanwhile() throws Exception {
        List<VectorIndex.Entry> all = new ArrayList<>();
        for (VectorIndex.Entry e : entries(3000, 16, 21)) {
            all.add(new VectorIndex.Entry(e.did(), e.vector(), 0, "text", all.size() % 20 == 0 ? List.of("few", "all") : List.of("all")));
        }
        List<VectorIndex.Entry> few = all.stream().filter(e -> e.pools().contains("few")).toList();
        HnswSettings narrow = new HnswSettings(16, 100, 10);
        Path where = dir.resolve("graphless");
        try (LuceneIndex index = new LuceneIndex(where, 16, narrow)) {
            index.bulkWrite(); // never closed: the process dies mid-import
            for (int from = 0; from < all.size(); from += 300) {
                index.upsert(all.subList(from, from + 300));
            }
            assertEquals(List.of(GraphlessVectorsFormat.NAME), index.vectorFormats().stream().distinct().toList());
            assertTrue(index.awaitsCompaction());
        }
        Random r = new Random(22);
        List<float[]> queries = new ArrayList<>();
        for (int q = 0; q < 20; q++) {
            queries.add(random(r, 16));
        }
        try (LuceneIndex index = new LuceneIndex(where, 16, narrow)) {
            for (float[] query : queries) {
                assertEquals(exact(all, query, 10), index.search(query, 10, VectorIndex.Filter.NONE).stream().map(VectorIndex.Hit::did).toList());
                index.exactBelow(0); // the filter goes to the segments' own search, not to the exact scorer of selective filters
                assertEquals(exact(few, query, 10), index.search(query, 10, VectorIndex.Filter.pool("few")).stream().map(VectorIndex.Hit::did)
                        .toList());
            }
            try (VectorIndex.BulkWrite another = index.bulkWrite()) {
                index.compact();
            }
            assertEquals(List.of("Lucene99HnswVectorsFormat"), index.vectorFormats());
            assertFalse(index.awaitsCompaction());
            assertEquals(3000, index.size());
        }
        try (LuceneIndex index = new LuceneIndex(dir.resolve("graphless-one"), 16, narrow)) {
            try (VectorIndex.BulkWrite bulk = index.bulkWrite()) {
                index.upsert(all.subList(0, 100));
            }
            assertEquals(List.of(GraphlessVectorsFormat.NAME), index.vectorFormats());
            index.compact();
            assertEquals(List.of("Lucene99HnswVectorsFormat"), index.vectorFormats());
            assertEquals(exact(all.subList(0, 100), queries.get(0), 10),
                    index.search(queries.get(0), 10, VectorIndex.Filter.NONE).stream().map(VectorIndex.Hit::did).toList());
        }
    }

    /** Segments written before dids had doc values (a store from an earlier release) still answer with their dids and content. */
    @Test
    void segmentsWithoutDidDocValuesAreReadFromStoredFields() throws Exception {
        Path where = dir.resolve("old");
        VectorIndex.Entry old = new VectorIndex.Entry("old-1", random(new Random(5), 16), 0, "text", List.of(), "old content");
        try (org.apache.lucene.store.FSDirectory d = org.apache.lucene.store.FSDirectory.open(where);
                org.apache.lucene.index.IndexWriter w = new org.apache.lucene.index.IndexWriter(d, new org.apache.lucene.index.IndexWriterConfig())) {
            org.apache.lucene.document.Document doc = new org.apache.lucene.document.Document();
            doc.add(new org.apache.lucene.document.StringField("did", old.did(), org.apache.lucene.document.Field.Store.YES));
            doc.add(new org.apache.lucene.document.KnnFloatVectorField("vector", LuceneIndex.unit(old.vector()),
                    org.apache.lucene.index.VectorSimilarityFunction.DOT_PRODUCT));
            doc.add(new org.apache.lucene.document.IntPoint("dataset", 0));
            doc.add(new org.apache.lucene.document.StoredField("dataset", 0));
            doc.add(new org.apache.lucene.document.StoredField("content", old.content()));
            w.addDocument(doc);
            w.commit();
        }
        try (LuceneIndex index = new LuceneIndex(where, 16, HnswSettings.DEFAULT)) {
            index.upsert(batch(1));
            VectorIndex.Hit top = index.search(old.vector(), 1, VectorIndex.Filter.NONE).get(0);
            assertEquals("old-1", top.did());
            assertEquals("old content", top.content());
            assertEquals("old-1", index.search(old.vector(), 1, VectorIndex.Filter.NONE, false).get(0).did());
        }
    }

    /**
     * A selective filter is searched exactly (every matching vector scored) and a broad one through the graph; both give
     * the exact top 10 within the filter, with the same scores, and deleted candidates never come back.
     */
    @Test
    void selectiveFiltersAreSearchedExactlyAndBroadOnesThroughTheGraph() throws Exception {
        Random r = new Random(3);
        List<VectorIndex.Entry> all = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            all.add(new VectorIndex.Entry("d" + i, random(r, 16), 0, "text", i % 10 == 0 ? List.of("few", "all") : List.of("all")));
        }
        try (LuceneIndex index = new LuceneIndex(dir.resolve("filtered"), 16, HnswSettings.DEFAULT)) {
            index.upsert(all);
            index.delete(List.of("d0", "d10"));
            List<VectorIndex.Entry> few = all.stream().filter(e -> e.pools().contains("few") && !e.did().equals("d0") && !e.did().equals("d10"))
                    .toList();
            for (int q = 0; q < 10; q++) {
                float[] query = random(r, 16);
                List<String> truth = exact(few, query, 10);
                index.exactBelow(Integer.MAX_VALUE);
                List<VectorIndex.Hit> scored = index.search(query, 10, VectorIndex.Filter.pool("few"));
                index.exactBelow(0);
                List<VectorIndex.Hit> graph = index.search(query, 10, VectorIndex.Filter.pool("few"));
                assertEquals(truth, scored.stream().map(VectorIndex.Hit::did).toList(), "exact, query " + q);
                assertEquals(truth, graph.stream().map(VectorIndex.Hit::did).toList(), "graph, query " + q);
                assertEquals(graph.stream().map(VectorIndex.Hit::score).toList(), scored.stream().map(VectorIndex.Hit::score).toList());
            }
        }
    }

    /**
     * The int8 scalar-quantised graph finds the exact neighbours most of the time, and what it returns carries the true
     * cosine (the graph's 7-bit scores were 0.04 off before they were rescored with the full-precision vectors).
     */
    @ParameterizedTest(name = "written in a bulk write: {0}")
    @ValueSource(booleans = {false, true})
    void anInt8IndexKeepsRecallScoresAndContent(boolean bulk) throws Exception {
        List<VectorIndex.Entry> all = entries(3000, 16, 11);
        try (LuceneIndex index = new LuceneIndex(dir.resolve("int8-" + bulk), 16, new HnswSettings(16, 100, 200, true))) {
            try (VectorIndex.BulkWrite write = bulk ? index.bulkWrite() : () -> {}) { // bulk: float vectors, quantised by the compaction
                index.upsert(all.stream().map(e -> new VectorIndex.Entry(e.did(), e.vector(), e.datasetId(), e.modality(), e.pools(),
                        "content of " + e.did())).toList());
            }
            index.compact();
            assertEquals(List.of("Lucene99HnswScalarQuantizedVectorsFormat"), index.vectorFormats());
            Random r = new Random(12);
            int found = 0;
            for (int q = 0; q < 50; q++) {
                float[] query = random(r, 16);
                List<VectorIndex.Hit> hits = index.search(query, 10, VectorIndex.Filter.NONE);
                List<String> truth = exact(all, query, 10);
                found += (int) hits.stream().filter(h -> truth.contains(h.did())).count();
                VectorIndex.Hit top = hits.get(0);
                float[] v = all.get(Integer.parseInt(top.did().substring(1))).vector();
                assertEquals(dot(LuceneIndex.unit(v), LuceneIndex.unit(query)), top.score(), 1e-5, "the hit's score is the true cosine");
                assertEquals("content of " + top.did(), top.content());
            }
            assertTrue(found >= 0.9 * 500, "recall@10 " + found / 500.0);
        }
    }
}
