package dev.umarvel.recipe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which examples each step trains on: a fresh seeded shuffle per epoch, batches cut in order. A pure
 * function of (seed, step), so a job resumed at step N sees exactly the batches it would have seen.
 */
public record DataOrder(int examples, int batchSize, long seed) {

    public DataOrder {
        if (examples < 1) {
            throw new IllegalArgumentException("no training examples");
        }
    }

    /** Steps for a number of (possibly fractional) epochs, at least one. */
    public long steps(double epochs) {
        return Math.max(1, (long) Math.ceil(epochs * examples / batchSize));
    }

    /** The examples of step {@code step} (0-based): positions step*B .. step*B+B-1 of the epoch-by-epoch order. */
    public List<Integer> batch(long step) {
        List<Integer> out = new ArrayList<>(batchSize);
        long from = step * batchSize;
        int epoch = -1;
        List<Integer> order = null;
        for (long p = from; p < from + batchSize; p++) {
            int e = (int) (p / examples);
            if (e != epoch) {
                epoch = e;
                order = permutation(e);
            }
            out.add(order.get((int) (p % examples)));
        }
        return out;
    }

    /** The epoch (fractional) reached after {@code steps} steps. */
    public double epoch(long steps) {
        return (double) steps * batchSize / examples;
    }

    private List<Integer> permutation(int epoch) {
        List<Integer> order = new ArrayList<>(examples);
        for (int i = 0; i < examples; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        return order;
    }

    /** A random stream for example {@code index} at {@code step}: instruction and positive choices. */
    public Random random(long step, int index) {
        return new Random((seed * 31 + step) * 1_000_003L + index);
    }
}
