package dev.umarvel.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {

    /** Records every batch it runs; answers each input with its negation. */
    static final class Recorder implements DynamicBatcher.Compute<Integer, Integer> {
        final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch gate;
        /** Counted down when the worker is inside its first batch (held at the gate, if one is set). */
        final CountDownLatch entered = new CountDownLatch(1);

        @Override
        public List<Integer> run(List<Integer> inputs) throws Exception {
            entered.countDown();
            if (gate != null) {
                gate.await(10, TimeUnit.SECONDS);
            }
            batches.add(List.copyOf(inputs));
            return inputs.stream().map(i -> -i).toList();
        }
    }

    private static int[] lengths(int n, int length) {
        int[] out = new int[n];
        java.util.Arrays.fill(out, length);
        return out;
    }

    /** Submits one item and returns once the worker holds it at the model's gate: the queue is empty again. */
    private static CompletableFuture<List<Integer>> holdTheWorker(DynamicBatcher<Integer, Integer> b, Recorder model) throws Exception {
        model.gate = new CountDownLatch(1);
        CompletableFuture<List<Integer>> first = b.submit(List.of(0), new int[] {10}, Long.MAX_VALUE, () -> false);
        assertTrue(model.entered.await(10, TimeUnit.SECONDS));
        return first;
    }

    @Test
    void concurrentSingleItemRequestsShareBatchesAndEachGetsItsOwnAnswer() throws Exception {
        Recorder model = new Recorder();
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("t", new DynamicBatcher.Config(16, 10_000,
                Duration.ofMillis(50), 100), model, new DynamicBatcher.Observer() {})) {
            List<CompletableFuture<List<Integer>>> answers = new ArrayList<>();
            answers.add(holdTheWorker(b, model));
            // 39 requests arrive while the model is busy, from threads of their own
            List<Thread> clients = new ArrayList<>();
            for (int i = 1; i < 40; i++) {
                answers.add(null);
            }
            for (int i = 1; i < 40; i++) {
                int item = i;
                Thread t = new Thread(() -> {
                    try {
                        answers.set(item, b.submit(List.of(item), new int[] {10}, Long.MAX_VALUE, () -> false));
                    } catch (DynamicBatcher.QueueFullException e) {
                        throw new IllegalStateException(e);
                    }
                });
                clients.add(t);
                t.start();
            }
            for (Thread t : clients) {
                t.join();
            }
            assertEquals(39, b.depth());
            model.gate.countDown();
            for (int i = 0; i < 40; i++) {
                assertEquals(List.of(-i), answers.get(i).get(10, TimeUnit.SECONDS));
            }
            // the held one alone, then 39 waiting items in full batches of 16, 16 and the 7 left
            assertEquals(List.of(1, 16, 16, 7), model.batches.stream().map(List::size).toList());
        }
    }

    @Test
    void itemsOfDifferentGroupsNeverShareABatch() throws Exception {
        Recorder model = new Recorder();
        // even numbers and odd numbers are two groups (two model versions, say)
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("t", new DynamicBatcher.Config(64, 10_000,
                Duration.ofMillis(50), 100), model, new DynamicBatcher.Observer() {}, i -> i % 2)) {
            List<CompletableFuture<List<Integer>>> answers = new ArrayList<>();
            answers.add(holdTheWorker(b, model));
            for (int i = 1; i < 30; i++) {
                answers.add(b.submit(List.of(i), new int[] {10}, Long.MAX_VALUE, () -> false));
            }
            model.gate.countDown();
            for (int i = 0; i < 30; i++) {
                assertEquals(List.of(-i), answers.get(i).get(10, TimeUnit.SECONDS));
            }
            for (List<Integer> batch : model.batches) {
                assertEquals(1, batch.stream().map(i -> i % 2).distinct().count(), "mixed batch " + batch);
            }
            // the held one, then the 15 odd and the 14 even waiting items, one batch each
            assertEquals(3, model.batches.size(), "30 requests of two groups in batches " + model.batches);
        }
    }

    @Test
    void withoutSharingEachRequestRunsInCallsOfItsOwn() throws Exception {
        Recorder model = new Recorder();
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("t", new DynamicBatcher.Config(4, 10_000,
                Duration.ofMillis(50), 100, false), model, new DynamicBatcher.Observer() {})) {
            List<CompletableFuture<List<Integer>>> answers = new ArrayList<>();
            answers.add(holdTheWorker(b, model));
            // while the worker is held: requests of 3, 1, 6 and 2 items (the numbers say which request)
            int[] sizes = {3, 1, 6, 2};
            for (int r = 0; r < sizes.length; r++) {
                List<Integer> items = java.util.Collections.nCopies(sizes[r], 10 * (r + 1));
                answers.add(b.submit(items, lengths(sizes[r], 10), Long.MAX_VALUE, () -> false));
            }
            model.gate.countDown();
            for (int r = 0; r < sizes.length; r++) {
                assertEquals(java.util.Collections.nCopies(sizes[r], -10 * (r + 1)), answers.get(r + 1).get(10, TimeUnit.SECONDS));
            }
            // one call per request, the 6-item one split at the bound of 4; shared, they would pack 12 items in 3 calls
            assertEquals(List.of(List.of(0), List.of(10, 10, 10), List.of(20), List.of(30, 30, 30, 30), List.of(30, 30), List.of(40, 40)),
                    model.batches);
        }
    }

    @Test
    void aRequestsItemsStayTogetherRatherThanJoinOtherRequestsOfTheirLength() throws Exception {
        Recorder model = new Recorder();
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("t", new DynamicBatcher.Config(4, 10_000,
                Duration.ofMillis(50), 100), model, new DynamicBatcher.Observer() {})) {
            CompletableFuture<List<Integer>> held = holdTheWorker(b, model);
            // two reranker-like requests of four pairs each, their lengths alike: by length alone each batch would take
            // two of each request, and compute both queries' prefixes twice
            int[] lengths = {10, 20, 30, 40};
            CompletableFuture<List<Integer>> a = b.submit(List.of(11, 12, 13, 14), lengths, Long.MAX_VALUE, () -> false);
            CompletableFuture<List<Integer>> c = b.submit(List.of(21, 22, 23, 24), lengths, Long.MAX_VALUE, () -> false);
            model.gate.countDown();
            held.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(-11, -12, -13, -14), a.get(10, TimeUnit.SECONDS));
            assertEquals(List.of(-21, -22, -23, -24), c.get(10, TimeUnit.SECONDS));
            assertEquals(List.of(List.of(0), List.of(11, 12, 13, 14), List.of(21, 22, 23, 24)), model.batches);
        }
    }

    @Test
    void aRequestsItemsComeBackInOrderEvenWhenSplitAcrossBatches() throws Exception {
        Recorder model = new Recorder();
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("t", new DynamicBatcher.Config(4, 10_000,
                Duration.ofMillis(1), 100), model, new DynamicBatcher.Observer() {})) {
            List<Integer> in = List.of(5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
            assertEquals(in.stream().map(i -> -i).toList(), b.submit(in, lengths(10, 3), Long.MAX_VALUE, () -> false).get(10,
                    TimeUnit.SECONDS));
            assertTrue(model.batches.size() >= 3);
        }
    }

    @Test
    void batchesStayWithinTheTokenBudgetAndGroupSimilarLengths() throws Exception {
        Recorder model = new Recorder();
        model.gate = new CountDownLatch(1);
        int[] tokenOf = new int[40];
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("t", new DynamicBatcher.Config(64, 400,
                Duration.ofMillis(20), 100), model, new DynamicBatcher.Observer() {})) {
            // a first item holds the worker at the gate while the rest queue up: short and long, interleaved
            List<CompletableFuture<List<Integer>>> answers = new ArrayList<>();
            answers.add(b.submit(List.of(0), new int[] {10}, Long.MAX_VALUE, () -> false));
            assertTrue(model.entered.await(10, TimeUnit.SECONDS));
            for (int i = 1; i < 40; i++) {
                tokenOf[i] = i % 2 == 0 ? 10 : 100;
                answers.add(b.submit(List.of(i), new int[] {tokenOf[i]}, Long.MAX_VALUE, () -> false));
            }
            tokenOf[0] = 10;
            model.gate.countDown();
            for (CompletableFuture<List<Integer>> a : answers) {
                a.get(10, TimeUnit.SECONDS);
            }
        }
        int mixed = 0;
        for (List<Integer> batch : model.batches) {
            int longest = batch.stream().mapToInt(i -> tokenOf[i]).max().orElse(0);
            assertTrue(longest * batch.size() <= 400, "padded " + longest * batch.size() + " tokens: " + batch);
            if (batch.stream().map(i -> tokenOf[i]).distinct().count() > 1) {
                mixed++;
            }
        }
        assertTrue(mixed <= 1, mixed + " batches mix short and long items: " + model.batches);
    }

    @Test
    void aFullQueueRefusesAtOnceAndRecovers() throws Exception {
        Recorder model = new Recorder();
        model.gate = new CountDownLatch(1);
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("t", new DynamicBatcher.Config(2, 1000,
                Duration.ZERO, 4), model, new DynamicBatcher.Observer() {})) {
            CompletableFuture<List<Integer>> first = b.submit(List.of(1, 2), lengths(2, 1), Long.MAX_VALUE, () -> false);
            assertTrue(model.entered.await(10, TimeUnit.SECONDS)); // the worker holds the first batch at the gate; the queue is empty again
            CompletableFuture<List<Integer>> queued = b.submit(List.of(3, 4, 5), lengths(3, 1), Long.MAX_VALUE, () -> false);
            assertThrows(DynamicBatcher.QueueFullException.class, () -> b.submit(List.of(6, 7), lengths(2, 1), Long.MAX_VALUE,
                    () -> false));
            model.gate.countDown();
            assertEquals(List.of(-1, -2), first.get(10, TimeUnit.SECONDS));
            assertEquals(List.of(-3, -4, -5), queued.get(10, TimeUnit.SECONDS));
            assertEquals(List.of(-6, -7), b.submit(List.of(6, 7), lengths(2, 1), Long.MAX_VALUE, () -> false).get(10,
                    TimeUnit.SECONDS));
        }
    }

    @Test
    void expiredAndCancelledRequestsAreDroppedBeforeCompute() throws Exception {
        Recorder model = new Recorder();
        model.gate = new CountDownLatch(1);
        List<String> dropped = Collections.synchronizedList(new ArrayList<>());
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("t", new DynamicBatcher.Config(8, 1000,
                Duration.ZERO, 100), model, new DynamicBatcher.Observer() {
                    @Override
                    public void dropped(int items, String reason) {
                        dropped.add(items + " " + reason);
                    }
                })) {
            CompletableFuture<List<Integer>> blocker = b.submit(List.of(1), lengths(1, 1), Long.MAX_VALUE, () -> false);
            assertTrue(model.entered.await(10, TimeUnit.SECONDS));
            CompletableFuture<List<Integer>> late = b.submit(List.of(2, 3), lengths(2, 1), System.nanoTime() - 1, () -> false);
            CompletableFuture<List<Integer>> gone = b.submit(List.of(4), lengths(1, 1), Long.MAX_VALUE, () -> true);
            CompletableFuture<List<Integer>> fine = b.submit(List.of(5), lengths(1, 1), Long.MAX_VALUE, () -> false);
            model.gate.countDown();
            blocker.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(-5), fine.get(10, TimeUnit.SECONDS));
            ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(10, TimeUnit.SECONDS));
            assertEquals("deadline", assertInstanceOf(DynamicBatcher.Dropped.class, e.getCause()).reason());
            e = assertThrows(ExecutionException.class, () -> gone.get(10, TimeUnit.SECONDS));
            assertEquals("cancelled", assertInstanceOf(DynamicBatcher.Dropped.class, e.getCause()).reason());
        }
        assertTrue(model.batches.stream().flatMap(List::stream).noneMatch(i -> i >= 2 && i <= 4), model.batches.toString());
        assertEquals(List.of("2 deadline", "1 cancelled"), dropped);
    }

    @Test
    void aModelFailureFailsTheBatchsRequestsOnly() throws Exception {
        DynamicBatcher.Compute<Integer, Integer> flaky = inputs -> {
            if (inputs.contains(13)) {
                throw new IllegalStateException("unlucky");
            }
            return inputs;
        };
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("t", new DynamicBatcher.Config(1, 1000,
                Duration.ZERO, 100), flaky, new DynamicBatcher.Observer() {})) {
            CompletableFuture<List<Integer>> bad = b.submit(List.of(13), lengths(1, 1), Long.MAX_VALUE, () -> false);
            CompletableFuture<List<Integer>> good = b.submit(List.of(12), lengths(1, 1), Long.MAX_VALUE, () -> false);
            ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
            assertEquals("unlucky", e.getCause().getMessage());
            assertEquals(List.of(12), good.get(10, TimeUnit.SECONDS));
        }
    }
}
