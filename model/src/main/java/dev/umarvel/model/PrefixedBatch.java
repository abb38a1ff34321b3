package dev.umarvel.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Reranker pairs laid out for prefix reuse: the distinct queries' prefixes (G sequences, padded to
 * P) and the pairs' suffixes (N sequences, padded to S), each suffix continuing prefix
 * {@code prefixOf[n]}: its positions start where that prefix ends, and it sees that prefix's real
 * positions and its own earlier ones.
 */
public record PrefixedBatch(SequenceBatch prefixes, SequenceBatch suffixes, int[] prefixOf, int maxTokens) {

    /** (N, S) position of each suffix token in its full sequence (padding clamped into the table). */
    public NDArray positions(NDManager manager) {
        int n = suffixes.batch();
        int s = suffixes.time();
        long[] out = new long[n * s];
        for (int r = 0; r < n; r++) {
            int start = prefixes.lengths()[prefixOf[r]];
            for (int j = 0; j < s; j++) {
                out[r * s + j] = Math.min(maxTokens - 1, start + j);
            }
        }
        return manager.create(out, new Shape(n, s));
    }

    /** (N, 1, S, P + S) additive bias: a suffix sees its prefix's real positions and, causally, its own. */
    public NDArray suffixBias(NDManager manager) {
        int n = suffixes.batch();
        int s = suffixes.time();
        int p = prefixes.time();
        int width = p + s;
        float[] bias = new float[n * s * width];
        for (int r = 0; r < n; r++) {
            int prefixLength = prefixes.lengths()[prefixOf[r]];
            int length = suffixes.lengths()[r];
            for (int i = 0; i < s; i++) {
                int row = (r * s + i) * width;
                for (int j = prefixLength; j < p; j++) {
                    bias[row + j] = SequenceBatch.BLOCKED;
                }
                for (int j = 0; j < s; j++) {
                    if (j >= length || j > i) {
                        bias[row + p + j] = SequenceBatch.BLOCKED;
                    }
                }
            }
        }
        return manager.create(bias, new Shape(n, 1, s, width));
    }

    /** (N) the prefix row of each suffix. */
    public NDArray prefixRows(NDManager manager) {
        long[] rows = new long[prefixOf.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = prefixOf[i];
        }
        return manager.create(rows, new Shape(rows.length));
    }

    public boolean[] truncated() {
        return suffixes.truncated();
    }
}
