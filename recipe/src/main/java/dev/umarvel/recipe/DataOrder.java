package dev.umarvel.recipe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Which examples each step trains on: a fresh seeded shuffle per epoch, batches cut in order. A pure
 * function of (seed, step), so a job resumed at step N sees exactly the batches it would have seen.
 *
 * <p>With {@code groups} (one label per example, e.g. its task), every batch is cut from one group and
 * the batches of all groups are shuffled together: in-batch negatives then share the positive's task,
 * which is what teaches a from-scratch model to tell candidates of one task apart (with mixed batches
 * most negatives are separable by task alone).
 */
public final class DataOrder {

    private final int examples;
    private final int batchSize;
    private final long seed;
    private final int[] groups;
    private final int batchesPerEpoch;
    private int cachedEpoch = -1;
    private List<List<Integer>> cachedBatches;

    /** Mixed batches over all examples. */
    public DataOrder(int examples, int batchSize, long seed) {
        this(examples, batchSize, seed, null);
    }

    /** Group-homogeneous batches when {@code groups} is not null (length = examples). */
    public DataOrder(int examples, int batchSize, long seed, int[] groups) {
        if (examples < 1) {
            throw new IllegalArgumentException("no training examples");
        }
        if (groups != null && groups.length != examples) {
            throw new IllegalArgumentException("groups has " + groups.length + " labels for " + examples + " examples");
        }
        this.examples = examples;
        this.batchSize = batchSize;
        this.seed = seed;
        this.groups = groups;
        this.batchesPerEpoch = groups == null ? 0 : batches(0).size();
    }

    public int examples() {
        return examples;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Steps for a number of (possibly fractional) epochs, at least one. */
    public long steps(double epochs) {
        return groups == null ? Math.max(1, (long) Math.ceil(epochs * examples / batchSize))
                : Math.max(1, (long) Math.ceil(epochs * batchesPerEpoch));
    }

    /** The examples of step {@code step} (0-based). */
    public synchronized List<Integer> batch(long step) {
        if (groups != null) {
            int epoch = (int) (step / batchesPerEpoch);
            if (epoch != cachedEpoch) {
                cachedBatches = batches(epoch);
                cachedEpoch = epoch;
            }
            return cachedBatches.get((int) (step % batchesPerEpoch));
        }
        // positions step*B .. step*B+B-1 of the epoch-by-epoch order
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
        return groups == null ? (double) steps * batchSize / examples : (double) steps / batchesPerEpoch;
    }

    private List<Integer> permutation(int epoch) {
        List<Integer> order = new ArrayList<>(examples);
        for (int i = 0; i < examples; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        return order;
    }

    /**
     * One epoch of group-homogeneous batches: each group shuffled and cut into batches of B (a last
     * batch under half of B joins the one before it, so no batch is too small to have negatives), then
     * all batches shuffled.
     */
    private List<List<Integer>> batches(int epoch) {
        List<Integer> order = permutation(epoch);
        TreeMap<Integer, List<Integer>> byGroup = new TreeMap<>();
        for (int i : order) {
            byGroup.computeIfAbsent(groups[i], g -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> out = new ArrayList<>();
        for (List<Integer> members : byGroup.values()) {
            List<List<Integer>> cut = new ArrayList<>();
            for (int from = 0; from < members.size(); from += batchSize) {
                cut.add(new ArrayList<>(members.subList(from, Math.min(members.size(), from + batchSize))));
            }
            List<Integer> last = cut.get(cut.size() - 1);
            if (cut.size() > 1 && last.size() < (batchSize + 1) / 2) {
                cut.remove(cut.size() - 1);
                cut.get(cut.size() - 1).addAll(last);
            }
            out.addAll(cut);
        }
        Collections.shuffle(out, new Random(seed * 7_919L + epoch));
        return out.stream().map(List::copyOf).toList();
    }

    /** A random stream for example {@code index} at {@code step}: instruction and positive choices. */
    public Random random(long step, int index) {
        return new Random((seed * 31 + step) * 1_000_003L + index);
    }
}
