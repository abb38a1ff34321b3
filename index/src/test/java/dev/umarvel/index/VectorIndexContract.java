package dev.umarvel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link VectorIndex} must do; each implementation's test extends this. */
abstract class VectorIndexContract {

    @TempDir Path dir;

    /** Opens the implementation's index of {@code dimension} (the same place each call, so reopening reads what was written). */
    abstract VectorIndex open(Path dir, int dimension) throws Exception;

    /**
     * Whether the server behind the index searches exactly (the in-process fake Milvus does): then the client must hand
     * back the exact top k in order, not merely 98 % of it, or it would hide a lost, duplicated or reordered hit.
     */
    boolean searchesExactly() {
        return false;
    }

    static float[] random(Random r, int d) {
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return LuceneIndex.unit(v);
    }

    static List<VectorIndex.Entry> entries(int n, int d, long seed) {
        Random r = new Random(seed);
        List<VectorIndex.Entry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new VectorIndex.Entry("d" + i, random(r, d), i % 3, i % 2 == 0 ? "image" : "text", List.of("pool" + (i % 4), "all")));
        }
        return out;
    }

    static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** The exact top k by inner product. */
    static List<String> exact(List<VectorIndex.Entry> entries, float[] q, int k) {
        return entries.stream().sorted(Comparator.comparingDouble((VectorIndex.Entry e) -> -dot(e.vector(), q))).limit(k)
                .map(VectorIndex.Entry::did).toList();
    }

    @Test
    void searchFindsTheExactNeighboursOfASmallCollection() throws Exception {
        List<VectorIndex.Entry> all = entries(300, 32, 1);
        try (VectorIndex index = open(dir, 32)) {
            index.upsert(all);
            assertEquals(300, index.size());
            Random r = new Random(2);
            for (int q = 0; q < 20; q++) {
                float[] query = random(r, 32);
                List<VectorIndex.Hit> hits = index.search(query, 10, VectorIndex.Filter.NONE);
                assertEquals(exact(all, query, 10), hits.stream().map(VectorIndex.Hit::did).toList());
                assertEquals(dot(all.get(Integer.parseInt(hits.get(0).did().substring(1))).vector(), query), hits.get(0).score(), 1e-4);
            }
        }
    }

    @Test
    void upsertReplacesByDidAndDeleteRemoves() throws Exception {
        List<VectorIndex.Entry> all = entries(50, 16, 3);
        try (VectorIndex index = open(dir, 16)) {
            index.upsert(all);
            index.upsert(all.subList(0, 10)); // the same again: idempotent
            assertEquals(50, index.size());
            float[] moved = random(new Random(9), 16);
            index.upsert(List.of(new VectorIndex.Entry("d7", moved, 0, "text", List.of("all"))));
            assertEquals(50, index.size());
            List<VectorIndex.Hit> top = index.search(moved, 1, VectorIndex.Filter.NONE);
            assertEquals("d7", top.get(0).did());
            assertEquals(1.0, top.get(0).score(), 1e-4);
            index.delete(List.of("d7", "d8", "no-such-did"));
            assertEquals(48, index.size());
            assertTrue(index.search(moved, 50, VectorIndex.Filter.NONE).stream().noneMatch(h -> h.did().equals("d7") || h.did().equals("d8")));
        }
    }

    @Test
    void filtersRestrictByDatasetModalityAndPool() throws Exception {
        List<VectorIndex.Entry> all = entries(120, 16, 4);
        try (VectorIndex index = open(dir, 16)) {
            index.upsert(all);
            float[] q = random(new Random(5), 16);
            VectorIndex.Filter f = new VectorIndex.Filter(java.util.Set.of(1), java.util.Set.of("image"), java.util.Set.of("pool2"));
            List<VectorIndex.Entry> matching = all.stream().filter(e -> e.datasetId() == 1 && e.modality().equals("image")
                    && e.pools().contains("pool2")).toList();
            List<VectorIndex.Hit> hits = index.search(q, 5, f);
            assertEquals(exact(matching, q, 5), hits.stream().map(VectorIndex.Hit::did).toList());
            assertEquals(30, index.search(q, 100, VectorIndex.Filter.pool("pool1")).size());
            // any of several values: datasets 0 or 2, pools 1 or 3
            VectorIndex.Filter any = new VectorIndex.Filter(java.util.Set.of(0, 2), null, java.util.Set.of("pool1", "pool3"));
            List<VectorIndex.Entry> anyMatching = all.stream().filter(e -> e.datasetId() != 1
                    && (e.pools().contains("pool1") || e.pools().contains("pool3"))).toList();
            assertEquals(exact(anyMatching, q, 8), index.search(q, 8, any).stream().map(VectorIndex.Hit::did).toList());
        }
    }

    @Test
    void contentIsStoredAndReturnedAndCountsFollowFilters() throws Exception {
        List<VectorIndex.Entry> all = entries(60, 16, 13);
        try (VectorIndex index = open(dir, 16)) {
            index.upsert(all.stream().map(e -> new VectorIndex.Entry(e.did(), e.vector(), e.datasetId(), e.modality(), e.pools(),
                    "{\"text\": \"caption of " + e.did() + "\"}")).toList());
            VectorIndex.Hit hit = index.search(all.get(9).vector(), 1, VectorIndex.Filter.NONE).get(0);
            assertEquals("d9", hit.did());
            assertEquals("{\"text\": \"caption of d9\"}", hit.content());
            assertEquals(15, index.count(VectorIndex.Filter.pool("pool2")));
            assertEquals(20, index.count(new VectorIndex.Filter(java.util.Set.of(1), null, null)));
            assertEquals(60, index.count(VectorIndex.Filter.NONE));
            assertEquals(java.util.Map.of("d3", "{\"text\": \"caption of d3\"}", "d59", "{\"text\": \"caption of d59\"}"),
                    index.contents(List.of("d3", "nope", "d59")));
            index.upsert(List.of(new VectorIndex.Entry("d3", all.get(3).vector(), 0, "text", List.of())));
            assertEquals("", index.search(all.get(3).vector(), 1, VectorIndex.Filter.NONE).get(0).content(), "replaced, content too");
        }
    }

    @Test
    void pagesScanEveryLiveEntryOnceInDidOrderWithItsLabelsAndContent() throws Exception {
        List<VectorIndex.Entry> all = entries(45, 8, 21).stream().map(e -> new VectorIndex.Entry(e.did(), e.vector(), e.datasetId(),
                e.modality(), e.pools(), "content of " + e.did())).toList();
        try (VectorIndex index = open(dir, 8)) {
            assertEquals(List.of(), index.page("", 10));
            index.upsert(all);
            index.delete(List.of("d11", "d30"));
            List<VectorIndex.Stored> seen = new ArrayList<>();
            String after = "";
            for (List<VectorIndex.Stored> page = index.page(after, 10); !page.isEmpty(); page = index.page(after, 10)) {
                assertTrue(page.size() <= 10);
                seen.addAll(page);
                after = page.get(page.size() - 1).did();
            }
            List<String> expected = all.stream().map(VectorIndex.Entry::did).filter(d -> !d.equals("d11") && !d.equals("d30")).sorted().toList();
            assertEquals(expected, seen.stream().map(VectorIndex.Stored::did).toList());
            VectorIndex.Stored d7 = seen.stream().filter(x -> x.did().equals("d7")).findFirst().orElseThrow();
            VectorIndex.Entry e7 = all.get(7);
            assertEquals(e7.datasetId(), d7.datasetId());
            assertEquals(e7.modality(), d7.modality());
            assertEquals(e7.pools().stream().sorted().toList(), d7.pools().stream().sorted().toList());
            assertEquals("content of d7", d7.content());
            assertEquals(List.of("d8", "d9"), index.page("d7", 2).stream().map(VectorIndex.Stored::did).toList(), "resumes after a did");
        }
    }

    @Test
    void whatWasWrittenIsThereAfterReopening() throws Exception {
        List<VectorIndex.Entry> all = entries(80, 16, 6);
        try (VectorIndex index = open(dir, 16)) {
            index.upsert(all);
            index.delete(List.of("d0"));
        }
        try (VectorIndex index = open(dir, 16)) {
            assertEquals(79, index.size());
            assertEquals("d5", index.search(all.get(5).vector(), 1, VectorIndex.Filter.NONE).get(0).did());
        }
    }

    @Test
    void badVectorsAndKAreRefused() throws Exception {
        try (VectorIndex index = open(dir, 16)) {
            assertThrows(IllegalArgumentException.class, () -> index.upsert(List.of(new VectorIndex.Entry("x", new float[8], 0, "text",
                    List.of()))));
            assertThrows(IllegalArgumentException.class, () -> index.search(new float[8], 5, VectorIndex.Filter.NONE));
            assertThrows(IllegalArgumentException.class, () -> index.search(random(new Random(1), 16), 0, VectorIndex.Filter.NONE));
            assertEquals(0, index.size(), "a refused batch writes nothing");
        }
    }

    @Test
    void recallAtTenAgainstExactSearchIsAtLeast098OrExactOnAnExactServer() throws Exception {
        int n = 20_000;
        int d = 64;
        List<VectorIndex.Entry> all = entries(n, d, 7);
        try (VectorIndex index = open(dir, d)) {
            for (int from = 0; from < n; from += 5000) {
                index.upsert(all.subList(from, from + 5000));
            }
            Random r = new Random(8);
            int found = 0;
            int queries = 100;
            for (int q = 0; q < queries; q++) {
                float[] query = random(r, d);
                List<String> truth = exact(all, query, 10);
                List<String> hits = index.search(query, 10, VectorIndex.Filter.NONE).stream().map(VectorIndex.Hit::did).toList();
                if (searchesExactly()) {
                    assertEquals(truth, hits, "query " + q);
                }
                found += (int) hits.stream().filter(truth::contains).count();
            }
            double recall = found / (10.0 * queries);
            System.out.printf("recall@10 vs exact, %d random unit vectors of %d dims: %.3f%n", n, d, recall);
            assertTrue(recall >= 0.98, "recall@10 " + recall);
        }
    }
}
