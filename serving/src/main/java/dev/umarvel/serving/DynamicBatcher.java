package dev.umarvel.serving;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Coalesces the items of many requests into model batches, as a serving stack's dynamic batcher does,
 * on one worker thread (the device runs one batch at a time; the engine's own threads use the cores).
 *
 * <p>A batch closes when it holds {@code maxBatchItems} items, when its padded size (items x longest
 * item) would pass {@code maxBatchTokens}, or when its oldest item has waited {@code maxDelay}. The
 * oldest item always goes in (no request starves) with the rest of its request; then whole requests
 * nearest to it in length, so that a batch pads little and a request's items share their batches.
 * Items whose request passed its deadline, was cancelled or already failed are dropped before compute.
 * The queue holds at most {@code queueCapacity} items: a request that does not fit is refused at once
 * ({@link QueueFullException}) rather than queued.
 * Items of different groups (e.g. the model version they must run on) never share a batch. With
 * {@code acrossRequests} off, each batch holds items of one request only and never waits for others:
 * a request's items run together, as a server without dynamic batching runs them.
 *
 * @param <I> a model input (one item)
 * @param <O> its result
 */
public final class DynamicBatcher<I, O> implements AutoCloseable {

    /** Bounds of a batch and of the queue, and whether requests share batches. */
    public record Config(int maxBatchItems, int maxBatchTokens, Duration maxDelay, int queueCapacity, boolean acrossRequests) {
        public Config {
            if (maxBatchItems < 1 || maxBatchTokens < 1 || queueCapacity < 1 || maxDelay.isNegative()) {
                throw new IllegalArgumentException("invalid batcher config " + this);
            }
        }

        /** Requests share batches. */
        public Config(int maxBatchItems, int maxBatchTokens, Duration maxDelay, int queueCapacity) {
            this(maxBatchItems, maxBatchTokens, maxDelay, queueCapacity, true);
        }
    }

    /** Runs the model on one batch; returns one result per input, in order. */
    @FunctionalInterface
    public interface Compute<I, O> {
        List<O> run(List<I> inputs) throws Exception;
    }

    /** What the service measures. Called on the worker thread; keep it cheap. */
    public interface Observer {
        /** A batch is about to run: its items, their real and padded token counts, each item's wait. */
        default void batch(int items, int tokens, int paddedTokens, long[] queuedNanos) {}

        /** A batch ran for this long. */
        default void computed(long nanos) {}

        /** Items dropped before compute, with the reason ("deadline", "cancelled"). */
        default void dropped(int items, String reason) {}
    }

    /** Why a request failed without running. */
    public static final class Dropped extends Exception {
        private final String reason;

        Dropped(String reason) {
            super(reason);
            this.reason = reason;
        }

        /** "deadline" or "cancelled". */
        public String reason() {
            return reason;
        }
    }

    /** The queue cannot take the request. */
    public static final class QueueFullException extends Exception {
        QueueFullException(int waiting, int asked, int capacity) {
            super(waiting + " items waiting and " + asked + " asked, over the queue capacity of " + capacity);
        }
    }

    /** One caller's items and their results. */
    private final class Request {
        final Object[] results;
        final CompletableFuture<List<O>> future = new CompletableFuture<>();
        final long deadline;
        final BooleanSupplier cancelled;
        // read and written on the worker thread only
        int remaining;
        String droppedFor = "";

        Request(int size, long deadline, BooleanSupplier cancelled) {
            this.results = new Object[size];
            this.remaining = size;
            this.deadline = deadline;
            this.cancelled = cancelled;
        }

        @SuppressWarnings("unchecked")
        void complete(int index, O result) {
            results[index] = result;
            if (--remaining == 0) {
                List<O> out = new ArrayList<>(results.length);
                for (Object r : results) {
                    out.add((O) r);
                }
                future.complete(out);
            }
        }
    }

    /** One item waiting in the queue. */
    private final class Unit {
        final Request request;
        final int index;
        final I input;
        final int tokens;
        final long enqueued;

        Unit(Request request, int index, I input, int tokens, long enqueued) {
            this.request = request;
            this.index = index;
            this.input = input;
            this.tokens = tokens;
            this.enqueued = enqueued;
        }
    }

    private final Config config;
    private final Compute<I, O> compute;
    private final Observer observer;
    private final java.util.function.Function<I, Object> group;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final LinkedList<Unit> waiting = new LinkedList<>(); // arrival order
    private final Thread worker;
    private volatile boolean closed;

    public DynamicBatcher(String name, Config config, Compute<I, O> compute, Observer observer) {
        this(name, config, compute, observer, input -> "");
    }

    /** @param group the key of the batch an input may join: only inputs with equal keys are batched together */
    public DynamicBatcher(String name, Config config, Compute<I, O> compute, Observer observer,
            java.util.function.Function<I, Object> group) {
        this.group = group;
        this.config = config;
        this.compute = compute;
        this.observer = observer;
        this.worker = new Thread(this::work, name + "-batcher");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /**
     * Queues a request's items.
     *
     * @param tokens each item's sequence length (the batch budget counts padded tokens)
     * @param deadline {@link System#nanoTime()} after which the answer is useless ({@code Long.MAX_VALUE}: none)
     * @param cancelled whether the caller went away
     * @return the results in input order; fails with {@link Dropped} or the model's exception
     */
    public CompletableFuture<List<O>> submit(List<I> inputs, int[] tokens, long deadline, BooleanSupplier cancelled)
            throws QueueFullException {
        if (inputs.size() != tokens.length) {
            throw new IllegalArgumentException(inputs.size() + " inputs, " + tokens.length + " token counts");
        }
        Request request = new Request(inputs.size(), deadline, cancelled);
        if (inputs.isEmpty()) {
            request.future.complete(List.of());
            return request.future;
        }
        long now = System.nanoTime();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("batcher closed");
            }
            if (waiting.size() + inputs.size() > config.queueCapacity()) {
                throw new QueueFullException(waiting.size(), inputs.size(), config.queueCapacity());
            }
            for (int i = 0; i < inputs.size(); i++) {
                waiting.add(new Unit(request, i, inputs.get(i), Math.max(1, tokens[i]), now));
            }
            arrived.signal();
        } finally {
            lock.unlock();
        }
        return request.future;
    }

    /** Items waiting for a batch. */
    public int depth() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        while (!closed) {
            List<Unit> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (!batch.isEmpty()) {
                run(batch);
            }
        }
    }

    /** Waits for work, lets the batch fill until the oldest item's delay is up, then picks it. */
    private List<Unit> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (waiting.isEmpty()) {
                arrived.await();
            }
            // a request's items all arrive at once: without sharing there is nothing to wait for
            long due = waiting.getFirst().enqueued + (config.acrossRequests() ? config.maxDelay().toNanos() : 0);
            while (!full() && !closed) {
                long left = due - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                arrived.awaitNanos(left);
            }
            dropDead();
            if (waiting.isEmpty()) {
                return List.of();
            }
            return pick();
        } finally {
            lock.unlock();
        }
    }

    /** Enough is waiting to fill a batch by count or by padded tokens. */
    private boolean full() {
        if (waiting.size() >= config.maxBatchItems()) {
            return true;
        }
        return (long) longest(waiting) * waiting.size() >= config.maxBatchTokens();
    }

    private void dropDead() {
        long now = System.nanoTime();
        int expired = 0;
        int cancelled = 0;
        for (Iterator<Unit> it = waiting.iterator(); it.hasNext();) {
            Unit u = it.next();
            Request r = u.request;
            if (!r.future.isDone()) {
                if (now > r.deadline) {
                    r.droppedFor = "deadline";
                } else if (r.cancelled.getAsBoolean()) {
                    r.droppedFor = "cancelled";
                } else {
                    continue;
                }
                r.future.completeExceptionally(new Dropped(r.droppedFor));
            }
            it.remove(); // dropped now, or its request already failed through another of its items
            String reason = r.droppedFor;
            expired += reason.equals("deadline") ? 1 : 0;
            cancelled += reason.equals("cancelled") ? 1 : 0;
        }
        if (expired > 0) {
            observer.dropped(expired, "deadline");
        }
        if (cancelled > 0) {
            observer.dropped(cancelled, "cancelled");
        }
    }

    /**
     * The oldest item's request, then whole requests nearest to it in length (a request's longest item), item by item
     * within both bounds. A request's items stay together so that the reranker computes each query's prefix once per
     * batch: picked item by item by length alone, a batch of 64 pairs drew on up to 64 requests' queries.
     */
    private List<Unit> pick() {
        Map<Request, List<Unit>> byRequest = new LinkedHashMap<>(); // the oldest item's request first
        for (Unit u : waiting) {
            byRequest.computeIfAbsent(u.request, r -> new ArrayList<>()).add(u);
        }
        List<List<Unit>> requests = new ArrayList<>(byRequest.values());
        List<Unit> first = requests.get(0);
        int length = longest(first);
        requests.subList(1, requests.size()).sort(Comparator.comparingInt(r -> Math.abs(longest(r) - length)));
        Object key = group.apply(first.get(0).input);
        List<Unit> batch = new ArrayList<>();
        int longest = 0;
        for (List<Unit> request : config.acrossRequests() ? requests : List.of(first)) {
            for (Unit u : request) {
                if (batch.size() >= config.maxBatchItems()) {
                    break;
                }
                int l = Math.max(longest, u.tokens);
                if (!key.equals(group.apply(u.input)) || !batch.isEmpty() && (long) l * (batch.size() + 1) > config.maxBatchTokens()) {
                    continue; // a shorter one further down may still fit
                }
                batch.add(u);
                longest = l;
            }
        }
        Set<Unit> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        taken.addAll(batch);
        waiting.removeIf(taken::contains);
        return batch;
    }

    private int longest(List<Unit> units) {
        int longest = 0;
        for (Unit u : units) {
            longest = Math.max(longest, u.tokens);
        }
        return longest;
    }

    private void run(List<Unit> batch) {
        long start = System.nanoTime();
        long[] queued = new long[batch.size()];
        int tokens = 0;
        int longest = 0;
        List<I> inputs = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Unit u = batch.get(i);
            queued[i] = start - u.enqueued;
            tokens += u.tokens;
            longest = Math.max(longest, u.tokens);
            inputs.add(u.input);
        }
        observer.batch(batch.size(), tokens, longest * batch.size(), queued);
        List<O> results;
        try {
            results = compute.run(inputs);
            if (results.size() != inputs.size()) {
                throw new IllegalStateException(results.size() + " results for " + inputs.size() + " inputs");
            }
        } catch (Throwable e) {
            observer.computed(System.nanoTime() - start);
            batch.forEach(u -> u.request.future.completeExceptionally(e));
            return;
        }
        observer.computed(System.nanoTime() - start);
        for (int i = 0; i < batch.size(); i++) {
            Unit u = batch.get(i);
            if (!u.request.future.isDone()) {
                u.request.complete(u.index, results.get(i));
            }
        }
    }

    /** Stops the worker; waiting requests fail. */
    @Override
    public void close() throws InterruptedException {
        lock.lock();
        try {
            closed = true;
            waiting.forEach(u -> u.request.future.completeExceptionally(new IllegalStateException("batcher closed")));
            waiting.clear();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        worker.interrupt();
        worker.join(TimeUnit.SECONDS.toMillis(10));
    }
}
