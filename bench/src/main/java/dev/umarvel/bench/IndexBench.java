package dev.umarvel.bench;

import dev.umarvel.index.LuceneIndex;
import dev.umarvel.index.VectorIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The embedded index (Lucene HNSW) against exact search, in one run, at growing sizes of vectors of
 * the small model's dimension: build time, recall@10 against exact, single-thread QPS of both and
 * their ratio, and HNSW latency p50/p99. Vectors come from a mixture of Gaussian clusters (the shape
 * of embeddings: near-duplicates and topics), queries from the same mixture.
 */
final class IndexBench {

    private IndexBench() {}

    static final int DIM = 128;
    static final int K = 10;

    static void run(String[] args) throws Exception {
        List<String> a = List.of(args);
        List<Integer> sizes = new ArrayList<>(a.contains("--quick") ? List.of(10_000) : List.of(10_000, 100_000, 1_000_000));
        int max = a.contains("--max") ? Integer.parseInt(a.get(a.indexOf("--max") + 1)) : Integer.MAX_VALUE;
        sizes.removeIf(n -> n > max);
        int queries = 200;
        Report report = new Report("index").context("vectors", "unit vectors of dimension " + DIM + ", a mixture of 1000 Gaussian clusters")
                .context("index", "LuceneIndex defaults: M 16, construction beam 100, search beam 200 (over-fetch)")
                .context("queries", queries + " from the same mixture, one thread, top " + K);
        Random r = new Random(7);
        float[][] centres = new float[1000][];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = gaussian(r, 1.0);
        }
        float[][] q = new float[queries][];
        for (int i = 0; i < queries; i++) {
            q[i] = sample(r, centres);
        }
        for (int n : sizes) {
            float[] matrix = new float[n * DIM];
            Path dir = Files.createTempDirectory("umarvel-index-bench");
            double buildSeconds;
            try (LuceneIndex index = new LuceneIndex(dir, DIM, LuceneIndex.Settings.DEFAULT)) {
                long start = System.nanoTime();
                int batch = 50_000;
                for (int from = 0; from < n; from += batch) {
                    List<VectorIndex.Entry> entries = new ArrayList<>();
                    for (int i = from; i < Math.min(n, from + batch); i++) {
                        float[] v = sample(r, centres);
                        System.arraycopy(v, 0, matrix, i * DIM, DIM);
                        entries.add(new VectorIndex.Entry("d" + i, v, 0, "text", List.of()));
                    }
                    index.upsert(entries);
                }
                buildSeconds = (System.nanoTime() - start) / 1e9;

                long[] hnswNanos = new long[queries];
                List<List<String>> approx = new ArrayList<>();
                for (int w = 0; w < 20; w++) {
                    index.search(q[w], K, VectorIndex.Filter.NONE); // warm-up
                }
                for (int i = 0; i < queries; i++) {
                    long t = System.nanoTime();
                    approx.add(index.search(q[i], K, VectorIndex.Filter.NONE).stream().map(VectorIndex.Hit::did).toList());
                    hnswNanos[i] = System.nanoTime() - t;
                }
                long t = System.nanoTime();
                int found = 0;
                for (int i = 0; i < queries; i++) {
                    List<String> exact = exact(matrix, n, q[i]);
                    for (String d : approx.get(i)) {
                        found += exact.contains(d) ? 1 : 0;
                    }
                }
                double exactSeconds = (System.nanoTime() - t) / 1e9;
                double hnswSeconds = Arrays.stream(hnswNanos).sum() / 1e9;
                Arrays.sort(hnswNanos);
                String size = n >= 1_000_000 ? n / 1_000_000 + "M" : n / 1000 + "k";
                report.row(size + ": build", buildSeconds, "s", String.format("%.0f vectors/s", n / buildSeconds))
                        .row(size + ": recall@10 vs exact", (double) found / (K * queries), "", "")
                        .row(size + ": HNSW", queries / hnswSeconds, "queries/s", String.format("p50 %.2f ms, p99 %.2f ms",
                                hnswNanos[queries / 2] / 1e6, hnswNanos[(int) (queries * 0.99) - 1] / 1e6))
                        .row(size + ": exact", queries / exactSeconds, "queries/s", "brute force, one thread")
                        .row(size + ": HNSW / exact", exactSeconds / hnswSeconds, "x", "QPS ratio in the same run");
                System.out.println(report.markdown());
            } finally {
                deleteTree(dir);
            }
        }
        report.publish(Path.of(System.getProperty("umarvel.bench.out", "target/bench")));
    }

    private static float[] gaussian(Random r, double scale) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    /** A point near a random centre, normalised: clusters of width about a third of their spread. */
    private static float[] sample(Random r, float[][] centres) {
        float[] c = centres[r.nextInt(centres.length)];
        float[] v = gaussian(r, 0.35);
        double norm = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] += c[i];
            norm += v[i] * v[i];
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < DIM; i++) {
            v[i] *= inv;
        }
        return v;
    }

    /** Exact top K by inner product, the plain loop. */
    private static List<String> exact(float[] matrix, int n, float[] q) {
        int[] best = new int[K];
        float[] scores = new float[K];
        Arrays.fill(scores, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            float s = 0;
            int base = i * DIM;
            for (int j = 0; j < DIM; j++) {
                s += matrix[base + j] * q[j];
            }
            if (s > scores[K - 1]) {
                int at = K - 1;
                while (at > 0 && scores[at - 1] < s) {
                    scores[at] = scores[at - 1];
                    best[at] = best[at - 1];
                    at--;
                }
                scores[at] = s;
                best[at] = i;
            }
        }
        List<String> out = new ArrayList<>(K);
        for (int i : best) {
            out.add("d" + i);
        }
        return out;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
