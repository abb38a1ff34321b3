package dev.umarvel.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataOrderTest {

    /** 3 tasks of 70, 10 and 33 examples, interleaved as a union file would be. */
    private static int[] groups() {
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < 70; i++) labels.add(0);
        for (int i = 0; i < 10; i++) labels.add(1);
        for (int i = 0; i < 33; i++) labels.add(2);
        java.util.Collections.shuffle(labels, new java.util.Random(3));
        return labels.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void mixedBatchesVisitEveryExampleOncePerEpoch() {
        DataOrder order = new DataOrder(10, 4, 7);
        assertEquals(3, order.steps(1.0));
        Set<Integer> seen = new HashSet<>();
        seen.addAll(order.batch(0));
        seen.addAll(order.batch(1));
        seen.addAll(order.batch(2).subList(0, 2)); // the last two positions already belong to epoch 2
        assertEquals(10, seen.size());
        assertEquals(order.batch(1), new DataOrder(10, 4, 7).batch(1), "a pure function of (seed, step)");
    }

    @Test
    void taskBatchesHoldOneTaskEachAndCoverTheEpoch() {
        int[] groups = groups();
        DataOrder order = new DataOrder(groups.length, 16, 7, groups);
        // task 0: 70 = 16+16+16+22 (the 6 left over join the last batch); task 1: one batch of 10;
        // task 2: 33 = 16+17 (a remainder of 1 is under half a batch)
        assertEquals(4 + 1 + 2, order.steps(1.0));
        assertEquals(14, order.steps(2.0));
        Set<Integer> seen = new HashSet<>();
        for (long step = 0; step < order.steps(1.0); step++) {
            List<Integer> batch = order.batch(step);
            assertEquals(1, batch.stream().map(i -> groups[i]).distinct().count(), "step " + step + " mixes tasks: " + batch);
            assertTrue(batch.size() >= 8 && batch.size() <= 24, "batch size " + batch.size());
            for (int i : batch) {
                assertTrue(seen.add(i), "example " + i + " twice in one epoch");
            }
        }
        assertEquals(groups.length, seen.size());
        assertEquals(1 + 3.0 / 7, order.epoch(10), 1e-12);
    }

    @Test
    void taskBatchesAreReproducibleAndReshuffledPerEpoch() {
        int[] groups = groups();
        DataOrder a = new DataOrder(groups.length, 16, 7, groups);
        DataOrder b = new DataOrder(groups.length, 16, 7, groups);
        List<List<Integer>> first = new ArrayList<>();
        for (long step = 0; step < 7; step++) {
            first.add(a.batch(step));
        }
        // b jumps straight to step 5 (a resumed job) and still sees a's batch
        assertEquals(first.get(5), b.batch(5));
        List<List<Integer>> second = new ArrayList<>();
        for (long step = 7; step < 14; step++) {
            second.add(a.batch(step));
        }
        assertNotEquals(first, second, "epoch 2 must be a new shuffle");
        assertNotEquals(first.get(0), new DataOrder(groups.length, 16, 8, groups).batch(0), "another seed, another order");
    }

    @Test
    void groupsMustLabelEveryExample() {
        assertThrows(IllegalArgumentException.class, () -> new DataOrder(5, 2, 1, new int[4]));
    }
}
