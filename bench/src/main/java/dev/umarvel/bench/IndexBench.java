package dev.umarvel.bench;

import dev.umarvel.index.HnswSettings;
import dev.umarvel.index.LuceneIndex;
import dev.umarvel.index.VectorIndex;
import dev.umarvel.mbeir.eval.ExactSearch;
import dev.umarvel.mbeir.eval.Matrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The embedded index (Lucene HNSW) against our own exact search ({@link ExactSearch}: blocked, multi-threaded), in one
 * run, at growing sizes: import speed as ImportPool writes (durable batches from two threads, then the merge into one
 * segment), recall@10 against exact, queries/s on one thread and on two, p50/p99, the search beam's recall-vs-speed curve,
 * a filtered search whose filter keeps 1 % of the collection, and memory; then, per k (1, 10, 100 by default), recall@k and
 * queries/s for beams of 1 to 8 times k and of 20, 40 and 80: the curve the default beam per k is chosen from. Vectors come from a mixture of
 * Gaussian clusters (the shape of embeddings: near-duplicates and topics); queries from the same mixture.
 *
 * The import's own baseline, in the same run: the same vectors imported again the way a serving index writes them (a graph
 * per segment, the serving merge policy) and merged, with the ratios; at every size up to 100k, and at 1M with
 * {@code --import-baseline} (it adds about 15 minutes there).
 *
 * <pre>bench index [--quick] [--max N | --only N] [--m 32] [--ef-construction 100] [--beams 10,20,40,80,160] [--ks 1,10,100] [--int8] [--serving-merges]
 * [--import-baseline] [--index-dir DIR]</pre>
 */
final class IndexBench {

    private IndexBench() {}

    static final int DIM = 128;
    static final int K = 10;
    static final int QUERIES = 500;
    /** Candidates per durable write: ImportPool's largest batch. */
    static final int WRITE_BATCH = 1024;

    static void run(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        List<Integer> sizes = new ArrayList<>(a.has("--quick") ? List.of(10_000) : List.of(10_000, 100_000, 1_000_000));
        int max = a.integer("--max", Integer.MAX_VALUE);
        sizes.removeIf(n -> n > max);
        if (a.has("--only")) {
            sizes = List.of(a.integer("--only", 0));
        }
        int m = a.integer("--m", 32); // the embedded collections' default
        int efConstruction = a.integer("--ef-construction", 100);
        int[] beams = a.integers("--beams", 10, 20, 40, 80, 160);
        int[] ks = a.integers("--ks", 1, 10, 100);
        boolean int8 = a.has("--int8");
        boolean servingMerges = a.has("--serving-merges"); // import without bulkWrite(), as before it existed
        boolean importBaseline = a.has("--import-baseline");
        // an index kept from an earlier run of the same size and settings (the vectors are drawn from a fixed seed): its
        // import and merge are skipped, so a new beam curve takes minutes instead of the 1M import's twenty
        Path keep = a.has("--index-dir") ? Path.of(a.text("--index-dir", null)) : null;
        HnswSettings base = new HnswSettings(m, efConstruction, 0, int8);
        Report report = new Report("index").context("vectors", "unit vectors of dimension " + DIM + ", a mixture of 1000 Gaussian clusters")
                .context("index", String.format(Locale.ROOT, "LuceneIndex, M %d, construction beam %d%s; imported in durable batches of %d "
                        + "from 2 threads%s, then merged into one segment", m, efConstruction, int8 ? ", int8 scalar-quantised" : "", WRITE_BATCH,
                        servingMerges ? " under the serving merge policy, a graph per segment"
                                : " as a bulk write (ImportPool's: segments without a graph, which the merge builds once)"))
                .context("queries", QUERIES + " from the same mixture, top " + K + "; exact: ExactSearch, the evaluator's blocked kernel")
                .context("machine", Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version"));
        Random r = new Random(7);
        float[][] centres = new float[1000][];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = gaussian(r, 1.0);
        }
        float[] queryData = new float[QUERIES * DIM];
        for (int i = 0; i < QUERIES; i++) {
            System.arraycopy(sample(r, centres), 0, queryData, i * DIM, DIM);
        }
        Matrix queries = new Matrix(QUERIES, DIM, queryData);
        for (int n : sizes) {
            String size = n >= 1_000_000 ? n / 1_000_000 + "M" : n / 1000 + "k";
            float[] data = new float[n * DIM];
            for (int i = 0; i < n; i++) {
                System.arraycopy(sample(r, centres), 0, data, i * DIM, DIM);
            }
            Matrix candidates = new Matrix(n, DIM, data);
            // exact, both ways: one query at a time on one thread (what a search does), and all queries in one batch on two
            long t = System.nanoTime();
            ExactSearch.TopK exact = ExactSearch.search(queries, candidates, K, 2);
            double exactBatched = QUERIES / seconds(t);
            ExactSearch.TopK exactDeep = ExactSearch.search(queries, candidates, Arrays.stream(ks).max().orElse(K), 2);
            int singles = Math.min(QUERIES, n >= 1_000_000 ? 50 : 200);
            t = System.nanoTime();
            for (int i = 0; i < singles; i++) {
                ExactSearch.search(new Matrix(1, DIM, Arrays.copyOfRange(queryData, i * DIM, (i + 1) * DIM)), candidates, K, 1);
            }
            double exactOne = singles / seconds(t);
            report.row(size + ": exact, one query at a time, 1 thread", exactOne, "queries/s", "ExactSearch")
                    .row(size + ": exact, all queries in one batch, 2 threads", exactBatched, "queries/s", "ExactSearch");

            // a pool label on every hundredth vector: the 1 % filter
            Set<Integer> inPool = new HashSet<>();
            for (int i = 0; i < n; i += 100) {
                inPool.add(i);
            }
            Path dir = keep != null ? keep.resolve(size) : Files.createTempDirectory("umarvel-index-bench");
            boolean kept = keep != null && Files.isDirectory(dir);
            try (LuceneIndex index = new LuceneIndex(dir, DIM, base)) {
                if (kept && index.size() == n) {
                    report.row(size + ": index kept from an earlier run", index.segments(), "segments", dir.toString());
                } else {
                    Imported imported = importAndMerge(index, data, n, inPool, !servingMerges, () -> {
                        // what a search meets while an import writes: the segments it left, not yet merged (graphless in a bulk write)
                        Measured during = measure(index, queries, exact, base.beam(K), null, 1);
                        report.row(size + ": search before the merge, 1 thread", during.perSecond(), "queries/s", String.format(Locale.ROOT,
                                "recall@10 %.3f, p50 %.2f ms, %d segments%s", during.recall(), during.p50(), index.segments(),
                                servingMerges ? ", a graph each" : ", no graph: scored exactly"));
                    });
                    report.row(size + ": import (durable batches, 2 threads)", n / imported.seconds(), "vectors/s", String.format(Locale.ROOT,
                            "%.0f s, %d segments", imported.seconds(), imported.segments()))
                            .row(size + ": merge into one segment (2 workers)", imported.mergeSeconds(), "s", index.segments() + " segment(s) after")
                            .row(size + ": import + merge", imported.untilMerged(n), "vectors/s", "until searchable as one segment")
                            .row(size + ": index on disk", directoryBytes(dir) / 1048576.0, "MiB", String.format(Locale.ROOT,
                                    "raw float vectors: %.0f MiB", n * (double) DIM * 4 / 1048576));
                    if (!servingMerges && (n <= 100_000 || importBaseline)) {
                        importBaseline(report, size, data, n, inPool, base, n / imported.seconds(), imported.untilMerged(n));
                    }
                }
                warm(index, queries);
                for (int beam : beams) {
                    Measured q = measure(index, queries, exact, beam, null, 1);
                    report.row(String.format(Locale.ROOT, "%s: beam %d", size, beam), q.perSecond(), "queries/s", String.format(Locale.ROOT,
                            "recall@10 %.3f, p50 %.2f ms, p99 %.2f ms, %.1fx exact one at a time", q.recall(), q.p50(), q.p99(),
                            q.perSecond() / exactOne));
                }
                int chosen = base.beam(K); // the embedded collections' default: ef_search 0
                Measured one = measure(index, queries, exact, chosen, null, 1);
                Measured two = measure(index, queries, exact, chosen, null, 2);
                report.row(size + ": HNSW, default beam " + chosen + ", 1 thread", one.perSecond(), "queries/s", String.format(Locale.ROOT,
                        "recall@10 %.3f, p50 %.2f ms, p99 %.2f ms", one.recall(), one.p50(), one.p99()))
                        .row(size + ": HNSW, default beam, 2 threads", two.perSecond(), "queries/s", String.format(Locale.ROOT,
                                "p50 %.2f ms, p99 %.2f ms", two.p50(), two.p99()))
                        .row(size + ": HNSW / exact (one query at a time, 1 thread)", one.perSecond() / exactOne, "x", "same run");
                ExactSearch.TopK exactInPool = exactFiltered(queries, data, n, inPool);
                Measured filtered = measure(index, queries, exactInPool, chosen, VectorIndex.Filter.pool("one-percent"), 1);
                report.row(size + ": filtered to 1 % of the collection", filtered.perSecond(), "queries/s", String.format(Locale.ROOT,
                        "recall@10 %.3f against exact within the filter, p50 %.2f ms", filtered.recall(), filtered.p50()));
                for (int k : ks) {
                    // multiples of k, and the fixed beams a small k may need
                    java.util.SortedSet<Integer> curve = new java.util.TreeSet<>(List.of(k, 2 * k, 4 * k, 8 * k, 20, 40, 80));
                    for (int beam : curve.tailSet(k)) {
                        Measured q = measure(index, queries, exactDeep, k, beam, null, 1);
                        report.row(String.format(Locale.ROOT, "%s: k %d, beam %d", size, k, beam), q.perSecond(),
                                "queries/s", String.format(Locale.ROOT, "recall@%d %.3f, p50 %.2f ms, p99 %.2f ms", k, q.recall(), q.p50(),
                                        q.p99()));
                    }
                    Measured chosenK = measure(index, queries, exactDeep, k, base.beam(k), null, 1);
                    report.row(String.format(Locale.ROOT, "%s: k %d, default beam %d", size, k, base.beam(k)), chosenK.perSecond(),
                            "queries/s", String.format(Locale.ROOT, "recall@%d %.3f", k, chosenK.recall()));
                }
                System.out.println(report.markdown());
            } finally {
                if (keep == null) {
                    deleteTree(dir);
                }
            }
        }
        report.publish(Path.of(System.getProperty("umarvel.bench.out", "target/bench")));
    }

    /**
     * The same vectors imported as a serving index writes them (every segment a graph, the serving merge policy) and merged
     * into one, beside the bulk write's figures of the same run.
     */
    private static void importBaseline(Report report, String size, float[] data, int n, Set<Integer> inPool, HnswSettings settings,
            double bulkImport, double bulkUntilMerged) throws Exception {
        Path dir = Files.createTempDirectory("umarvel-index-baseline");
        try (LuceneIndex index = new LuceneIndex(dir, DIM, settings)) {
            Imported baseline = importAndMerge(index, data, n, inPool, false, () -> {});
            report.row(size + ": baseline import, a graph per segment", n / baseline.seconds(), "vectors/s", String.format(Locale.ROOT,
                    "%.0f s, %d segments; merged in %.0f s: %.0f vectors/s until one graph", baseline.seconds(), baseline.segments(),
                    baseline.mergeSeconds(), baseline.untilMerged(n)))
                    .row(size + ": import, bulk write / baseline", bulkImport / (n / baseline.seconds()), "x", "writes acknowledged, same run")
                    .row(size + ": import + merge, bulk write / baseline", bulkUntilMerged / baseline.untilMerged(n), "x",
                            "until one graph, same run");
        } finally {
            deleteTree(dir);
        }
    }

    /** An import's seconds, the segments it left, and the seconds their merge into one took. */
    private record Imported(double seconds, int segments, double mergeSeconds) {
        double untilMerged(int n) {
            return n / (seconds + mergeSeconds);
        }
    }

    private interface BeforeMerge {
        void run() throws Exception;
    }

    /** Imports from two threads (as a bulk write, or under the serving policy), runs {@code beforeMerge}, then merges into one. */
    private static Imported importAndMerge(LuceneIndex index, float[] data, int n, Set<Integer> inPool, boolean bulk,
            BeforeMerge beforeMerge) throws Exception {
        long t = System.nanoTime();
        try (VectorIndex.BulkWrite write = bulk ? index.bulkWrite() : () -> {}) {
            importFromTwoThreads(index, data, n, inPool);
        }
        double imported = seconds(t);
        int segments = index.segments();
        beforeMerge.run();
        t = System.nanoTime();
        index.compact();
        return new Imported(imported, segments, seconds(t));
    }

    /** Durable batches of {@link #WRITE_BATCH} from two threads, as two concurrent ImportPool streams would write. */
    private static void importFromTwoThreads(LuceneIndex index, float[] data, int n, Set<Integer> inPool) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    for (int from = writer * WRITE_BATCH; from < n; from += 2 * WRITE_BATCH) {
                        List<VectorIndex.Entry> entries = new ArrayList<>(WRITE_BATCH);
                        for (int i = from; i < Math.min(n, from + WRITE_BATCH); i++) {
                            entries.add(new VectorIndex.Entry("d" + i, Arrays.copyOfRange(data, i * DIM, (i + 1) * DIM), 0, "text",
                                    inPool.contains(i) ? List.of("one-percent") : List.of()));
                        }
                        index.upsert(entries);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            writers.shutdown();
        }
    }

    record Measured(double perSecond, double recall, double p50, double p99) {}

    /** Every query once, from {@code threads} threads; recall@10 against {@code exact}. */
    private static Measured measure(LuceneIndex index, Matrix queries, ExactSearch.TopK exact, int beam, VectorIndex.Filter filter,
            int threads) throws Exception {
        return measure(index, queries, exact, K, beam, filter, threads);
    }

    /** Every query once, from {@code threads} threads; recall@k against the first k of {@code exact}. */
    private static Measured measure(LuceneIndex index, Matrix queries, ExactSearch.TopK exact, int k, int beam, VectorIndex.Filter filter,
            int threads) throws Exception {
        long[] nanos = new long[QUERIES];
        int[] found = new int[QUERIES];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int worker = w;
                done.add(pool.submit(() -> {
                    for (int i = worker; i < QUERIES; i += threads) {
                        float[] q = Arrays.copyOfRange(queries.data(), i * DIM, (i + 1) * DIM);
                        long t = System.nanoTime();
                        List<VectorIndex.Hit> hits = index.search(q, k, filter == null ? VectorIndex.Filter.NONE : filter, false, beam);
                        nanos[i] = System.nanoTime() - t;
                        Set<String> truth = new HashSet<>();
                        for (int d : Arrays.copyOf(exact.indices()[i], k)) {
                            truth.add("d" + d);
                        }
                        found[i] = (int) hits.stream().filter(h -> truth.contains(h.did())).count();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        double wall = seconds(start);
        Arrays.sort(nanos);
        return new Measured(QUERIES / wall, Arrays.stream(found).sum() / (double) (k * QUERIES), nanos[QUERIES / 2] / 1e6,
                nanos[(int) (QUERIES * 0.99) - 1] / 1e6);
    }

    private static void warm(LuceneIndex index, Matrix queries) throws Exception {
        for (int i = 0; i < 100; i++) {
            index.search(Arrays.copyOfRange(queries.data(), (i % QUERIES) * DIM, (i % QUERIES + 1) * DIM), K, VectorIndex.Filter.NONE, false, 80);
        }
    }

    /** Exact top K among the vectors in the pool, as indices into the whole collection. */
    private static ExactSearch.TopK exactFiltered(Matrix queries, float[] data, int n, Set<Integer> inPool) {
        int[] ids = inPool.stream().mapToInt(Integer::intValue).sorted().toArray();
        float[] sub = new float[ids.length * DIM];
        for (int j = 0; j < ids.length; j++) {
            System.arraycopy(data, ids[j] * DIM, sub, j * DIM, DIM);
        }
        ExactSearch.TopK top = ExactSearch.search(queries, new Matrix(ids.length, DIM, sub), K, 2);
        int[][] mapped = new int[top.indices().length][];
        for (int i = 0; i < mapped.length; i++) {
            mapped[i] = Arrays.stream(top.indices()[i]).map(j -> ids[j]).toArray();
        }
        return new ExactSearch.TopK(mapped, top.scores());
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static long directoryBytes(Path dir) throws java.io.IOException {
        try (var all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
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

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
