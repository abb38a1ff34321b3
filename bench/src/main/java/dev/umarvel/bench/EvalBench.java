package dev.umarvel.bench;

import dev.umarvel.mbeir.eval.ExactSearch;
import dev.umarvel.mbeir.eval.Matrix;
import java.nio.file.Path;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The evaluator's exact search (blocked, 4-query kernel, all cores) against a naive triple loop
 * with a heap, in the same run, at 10k queries x 100k candidates of dimension 128, top 50.
 */
final class EvalBench {

    private EvalBench() {}

    static void run(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        boolean full = a.has("--full");
        boolean quick = a.has("--quick");
        int queries = quick ? 1000 : 10_000;
        int candidates = quick ? 20_000 : 100_000;
        int dim = 128;
        int k = 50;
        int threads = Runtime.getRuntime().availableProcessors();
        Matrix q = normalised(queries, dim, 1);
        Matrix c = normalised(candidates, dim, 2);

        ExactSearch.search(new Matrix(64, dim, java.util.Arrays.copyOf(q.data(), 64 * dim)), c, k, threads); // warm-up
        long start = System.nanoTime();
        ExactSearch.TopK fast = ExactSearch.search(q, c, k, threads);
        double fastSeconds = (System.nanoTime() - start) / 1e9;

        // The naive loop takes minutes at full size; unless --full it runs on the first 1000 queries (same candidates).
        int naiveQueries = full ? queries : Math.min(queries, quick ? 200 : 1000);
        start = System.nanoTime();
        int[][] naive = naive(q, c, naiveQueries, k);
        double naiveSeconds = (System.nanoTime() - start) / 1e9;
        for (int i = 0; i < naiveQueries; i++) {
            if (!java.util.Arrays.equals(naive[i], fast.indices()[i])) {
                throw new IllegalStateException("query " + i + ": the two searches disagree");
            }
        }
        double fastRate = (double) queries * candidates / fastSeconds;
        double naiveRate = (double) naiveQueries * candidates / naiveSeconds;
        new Report("eval").context("workload", queries + " queries x " + candidates + " candidates, dim " + dim + ", top " + k)
                .context("threads", threads + " for the exact search, 1 for the naive loop")
                .context("naive subset", naiveQueries + " queries (rates are per score, so they compare)")
                .row("exact search", fastRate / 1e6, "M scores/s", String.format("%.1f s for the whole workload", fastSeconds))
                .row("naive triple loop", naiveRate / 1e6, "M scores/s", String.format("%.1f s for %d queries", naiveSeconds, naiveQueries))
                .row("speed-up", fastRate / naiveRate, "x", "same rankings checked on the naive subset")
                .row("exact search", 2.0 * fastRate * dim / 1e9, "GFLOP/s", "")
                .publish(Path.of(System.getProperty("umarvel.bench.out", "target/bench")));
    }

    private static Matrix normalised(int rows, int dim, long seed) {
        Random r = new Random(seed);
        float[] data = new float[rows * dim];
        for (int i = 0; i < rows; i++) {
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                float v = (float) r.nextGaussian();
                data[i * dim + d] = v;
                norm += v * v;
            }
            for (int d = 0; d < dim; d++) {
                data[i * dim + d] /= (float) Math.sqrt(norm);
            }
        }
        return new Matrix(rows, dim, data);
    }

    /** For each query: every score by a plain dot product, the best k through a heap; ties to the lower index. */
    private static int[][] naive(Matrix q, Matrix c, int queries, int k) {
        int dim = q.dim();
        int[][] out = new int[queries][];
        for (int i = 0; i < queries; i++) {
            PriorityQueue<float[]> heap = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Float.compare(a[0], b[0]) : Float.compare(b[1], a[1]));
            for (int j = 0; j < c.rows(); j++) {
                float s = 0;
                for (int d = 0; d < dim; d++) {
                    s += q.data()[i * dim + d] * c.data()[j * dim + d];
                }
                heap.add(new float[] {s, j});
                if (heap.size() > k) {
                    heap.poll();
                }
            }
            int[] ranked = new int[heap.size()];
            for (int r = ranked.length - 1; r >= 0; r--) {
                ranked[r] = (int) heap.poll()[1];
            }
            out[i] = ranked;
        }
        return out;
    }
}
