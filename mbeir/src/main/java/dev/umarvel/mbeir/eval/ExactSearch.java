package dev.umarvel.mbeir.eval;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Exact top-k by inner product (cosine for normalised vectors), blocked for the cache and spread
 * over threads.
 *
 * <p>The kernel scores four queries against one candidate at a time: the candidate row is loaded
 * once for four dot products, and the four independent sums keep the CPU's pipelines busy. Each
 * dot product still adds its terms in index order, so scores equal a plain loop's bit for bit.
 * Ties rank the lower candidate index first.
 */
public final class ExactSearch {

    /** Ranked candidate indices and scores per query, best first. */
    public record TopK(int[][] indices, float[][] scores) {}

    private static final int QUERY_BLOCK = 64;     // queries sharing one pass over a candidate block
    private static final int CANDIDATE_BLOCK = 512; // candidates kept hot in cache while a query block reads them

    private ExactSearch() {}

    public static TopK search(Matrix queries, Matrix candidates, int k, int threads) {
        if (queries.dim() != candidates.dim() && queries.rows() > 0 && candidates.rows() > 0) {
            throw new IllegalArgumentException("query dimension " + queries.dim() + " != candidate dimension " + candidates.dim());
        }
        int kk = Math.min(k, candidates.rows());
        int[][] indices = new int[queries.rows()][];
        float[][] scores = new float[queries.rows()][];
        int blocks = (queries.rows() + QUERY_BLOCK - 1) / QUERY_BLOCK;
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try {
            pool.submit(() -> IntStream.range(0, blocks).parallel().forEach(b -> {
                int from = b * QUERY_BLOCK;
                int to = Math.min(queries.rows(), from + QUERY_BLOCK);
                searchBlock(queries, candidates, from, to, kk, indices, scores);
            })).join();
        } finally {
            pool.shutdown();
            try {
                pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new TopK(indices, scores);
    }

    private static void searchBlock(Matrix queries, Matrix candidates, int from, int to, int k, int[][] indices, float[][] scores) {
        int n = to - from;
        TopKHeap[] heaps = new TopKHeap[n];
        for (int i = 0; i < n; i++) {
            heaps[i] = new TopKHeap(k);
        }
        float[] q = queries.data();
        float[] c = candidates.data();
        int dim = queries.dim();
        for (int cb = 0; cb < candidates.rows(); cb += CANDIDATE_BLOCK) {
            int cEnd = Math.min(candidates.rows(), cb + CANDIDATE_BLOCK);
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                int q0 = (from + i) * dim;
                int q1 = q0 + dim;
                int q2 = q1 + dim;
                int q3 = q2 + dim;
                for (int j = cb; j < cEnd; j++) {
                    int co = j * dim;
                    float s0 = 0;
                    float s1 = 0;
                    float s2 = 0;
                    float s3 = 0;
                    for (int d = 0; d < dim; d++) {
                        float v = c[co + d];
                        s0 += q[q0 + d] * v;
                        s1 += q[q1 + d] * v;
                        s2 += q[q2 + d] * v;
                        s3 += q[q3 + d] * v;
                    }
                    heaps[i].offer(j, s0);
                    heaps[i + 1].offer(j, s1);
                    heaps[i + 2].offer(j, s2);
                    heaps[i + 3].offer(j, s3);
                }
            }
            for (; i < n; i++) {
                int qo = (from + i) * dim;
                for (int j = cb; j < cEnd; j++) {
                    int co = j * dim;
                    float s = 0;
                    for (int d = 0; d < dim; d++) {
                        s += q[qo + d] * c[co + d];
                    }
                    heaps[i].offer(j, s);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            indices[from + i] = heaps[i].sortedIndices();
            scores[from + i] = heaps[i].sortedScores();
        }
    }

    /** The best k (score, index) pairs seen, as a min-heap on (score, -index). */
    static final class TopKHeap {
        private final int[] index;
        private final float[] score;
        private int size;
        private boolean sorted;

        TopKHeap(int k) {
            index = new int[k];
            score = new float[k];
        }

        /** True when (s, i) ranks below (t, j): lower score, or equal score and higher index. */
        private static boolean worse(float s, int i, float t, int j) {
            return s < t || (s == t && i > j);
        }

        void offer(int i, float s) {
            if (index.length == 0) {
                return;
            }
            if (size < index.length) {
                index[size] = i;
                score[size] = s;
                siftUp(size++);
            } else if (worse(score[0], index[0], s, i)) {
                index[0] = i;
                score[0] = s;
                siftDown(0);
            }
        }

        private void siftUp(int at) {
            while (at > 0) {
                int parent = (at - 1) / 2;
                if (!worse(score[at], index[at], score[parent], index[parent])) {
                    return;
                }
                swap(at, parent);
                at = parent;
            }
        }

        private void siftDown(int at) {
            while (true) {
                int l = 2 * at + 1;
                int r = l + 1;
                int least = at;
                if (l < size && worse(score[l], index[l], score[least], index[least])) {
                    least = l;
                }
                if (r < size && worse(score[r], index[r], score[least], index[least])) {
                    least = r;
                }
                if (least == at) {
                    return;
                }
                swap(at, least);
                at = least;
            }
        }

        private void swap(int a, int b) {
            int ti = index[a];
            index[a] = index[b];
            index[b] = ti;
            float ts = score[a];
            score[a] = score[b];
            score[b] = ts;
        }

        /** Drains the heap: best first. */
        int[] sortedIndices() {
            sortDescending();
            return java.util.Arrays.copyOf(index, size);
        }

        float[] sortedScores() {
            sortDescending();
            return java.util.Arrays.copyOf(score, size);
        }

        private void sortDescending() {
            if (sorted) {
                return;
            }
            // heap sort: repeatedly move the worst to the end
            int n = size;
            for (int end = n - 1; end > 0; end--) {
                swap(0, end);
                size = end;
                siftDown(0);
            }
            size = n;
            sorted = true;
        }
    }
}
