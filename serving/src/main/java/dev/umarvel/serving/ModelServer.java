package dev.umarvel.serving;

import dev.umarvel.api.StorePath;
import dev.umarvel.api.v1.ModelInfo;
import dev.umarvel.model.TokenLimitException;
import dev.umarvel.model.io.CheckpointException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * One served model behind a dynamic batcher, as the embedder and the reranker both need it: requests
 * become batch items, each batch runs on a leased model, {@link #load} swaps models under load, and
 * every failure leaves as the gRPC status the contract lists.
 *
 * @param <I> one model input (an item, a pair)
 * @param <O> its result
 */
public final class ModelServer<I, O> implements AutoCloseable {

    /** What the model does with a batch; both calls run against one leased model. */
    public interface Model<I, O> {
        /** Sequence length of each input; refuses an over-long one unless truncating. */
        int[] lengths(ServedModel model, List<I> inputs, boolean truncate) throws TokenLimitException;

        /** Results in input order, text truncated where it must be. */
        List<O> run(ServedModel model, List<I> inputs) throws Exception;
    }

    /** A request's results, all from one model version, and where its time went. */
    public record Answer<O>(List<O> results, String version, long computeNanos, long totalNanos) {}

    /** One item's result and the batch it came from. */
    private record Computed<O>(O value, String version, long computeNanos) {}

    /** One input and the model version it must run on ("": whichever model is in service when its batch runs). */
    private record Routed<I>(String version, I input) {}

    private final String kind;
    private final Path store;
    private final Model<I, O> model;
    private final ModelSlot<ServedModel> slot = new ModelSlot<>();
    private final DynamicBatcher<Routed<I>, Computed<O>> batcher;
    private final ReentrantLock loading = new ReentrantLock();
    private final ServingMetrics metrics;
    private final List<Runnable> loadListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile java.util.concurrent.CountDownLatch paused;

    /** @param kind the checkpoint kind served: "embedder" or "reranker" */
    public ModelServer(String kind, Path store, DynamicBatcher.Config config, Model<I, O> model, ServingMetrics metrics) {
        this.kind = kind;
        this.store = store.toAbsolutePath().normalize();
        this.model = model;
        this.metrics = metrics;
        this.batcher = new DynamicBatcher<>(kind, config, this::compute, metrics, Routed::version);
        metrics.queueDepth(batcher::depth);
    }

    private List<Computed<O>> compute(List<Routed<I>> routed) throws Exception {
        java.util.concurrent.CountDownLatch hold = paused;
        if (hold != null) {
            hold.await();
        }
        List<I> inputs = routed.stream().map(Routed::input).toList();
        try (ModelSlot.Lease<ServedModel> lease = lease(routed.get(0).version())) {
            long start = System.nanoTime();
            List<O> out = model.run(lease.model(), inputs);
            long nanos = System.nanoTime() - start;
            String version = lease.model().info().getVersion();
            List<Computed<O>> wrapped = new ArrayList<>(out.size());
            out.forEach(o -> wrapped.add(new Computed<>(o, version, nanos)));
            return wrapped;
        }
    }

    /** The model in service (version ""), or the one in service or retained with this version. */
    private ModelSlot.Lease<ServedModel> lease(String version) throws ModelSlot.NotLoadedException {
        if (version.isEmpty()) {
            return slot.acquire();
        }
        ModelSlot.Lease<ServedModel> lease = slot.acquire(m -> m.info().getVersion().equals(version));
        if (lease == null) {
            ServedModel retained = slot.retainedModel();
            throw Status.FAILED_PRECONDITION.withDescription("model_version: '" + version + "' is neither in service (" + info().getVersion()
                    + ") nor retained" + (retained == null ? "" : " (" + retained.info().getVersion() + ")")).asRuntimeException();
        }
        return lease;
    }

    /**
     * Holds every batch before compute until the returned handle is closed, while requests keep queueing:
     * for drills and tests that need a busy model and a full queue without racing the model.
     */
    public AutoCloseable pause() {
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        paused = hold;
        return () -> {
            paused = null;
            hold.countDown();
        };
    }

    public boolean ready() {
        return slot.loaded();
    }

    /** Runs {@code listener} after every successful load (e.g. to turn gRPC health to SERVING). */
    public void onLoad(Runnable listener) {
        loadListeners.add(listener);
    }

    /** The loaded model's description; FAILED_PRECONDITION before the first load. */
    public ModelInfo info() {
        return inspect(ServedModel::info);
    }

    /** Reads something off the model in service; FAILED_PRECONDITION before the first load. */
    public <T> T inspect(java.util.function.Function<ServedModel, T> read) {
        try (ModelSlot.Lease<ServedModel> lease = slot.acquire()) {
            return read.apply(lease.model());
        } catch (ModelSlot.NotLoadedException e) {
            throw notLoaded();
        }
    }

    /**
     * Loads a store-relative checkpoint and swaps it in; returns {previous (or null), current}. The
     * old model keeps serving if anything fails.
     */
    public ModelInfo[] load(String checkpointPath) {
        return load(checkpointPath, false);
    }

    /** The store path of the retained model's checkpoint; "" when none is retained. */
    public String retainedCheckpoint() {
        ServedModel r = slot.retainedModel();
        return r == null ? "" : r.info().getCheckpointPath();
    }

    /** As {@link #load(String)}; with {@code retainPrevious} the model served before stays, answering requests that name its version. */
    public ModelInfo[] load(String checkpointPath, boolean retainPrevious) {
        if (checkpointPath.isBlank()) {
            throw Status.INVALID_ARGUMENT.withDescription("checkpoint_path: empty").asRuntimeException();
        }
        Path dir;
        try {
            dir = StorePath.confine(store, checkpointPath);
        } catch (IllegalArgumentException e) {
            throw Status.INVALID_ARGUMENT.withDescription("checkpoint_path: " + e.getMessage()).asRuntimeException();
        }
        if (!loading.tryLock()) {
            throw Status.ABORTED.withDescription("another LoadModel is in progress; retry later").asRuntimeException();
        }
        try {
            ServedModel next;
            try {
                next = ServedModel.load(dir, checkpointPath, kind);
            } catch (CheckpointException e) {
                Status status = switch (e.kind()) {
                    case MISSING -> Status.NOT_FOUND;
                    case CORRUPT -> Status.DATA_LOSS;
                    case INCOMPATIBLE -> Status.FAILED_PRECONDITION;
                };
                throw status.withDescription("checkpoint_path: " + e.getMessage()).asRuntimeException();
            }
            ModelInfo previous = slot.loaded() ? info() : null;
            slot.swap(next, retainPrevious);
            metrics.modelLoaded(next.info().getVersion());
            loadListeners.forEach(Runnable::run);
            return new ModelInfo[] {previous, next.info()};
        } finally {
            loading.unlock();
        }
    }

    /**
     * Queues a request's inputs. Lengths are checked against the current model first, so that an
     * over-long item is refused (naming it through {@code field}) before it waits.
     */
    public CompletableFuture<Answer<O>> submit(List<I> inputs, boolean truncate, long deadlineNanos, BooleanSupplier cancelled,
            IntFunction<String> field) {
        return submit(inputs, "", truncate, deadlineNanos, cancelled, field);
    }

    /** As {@link #submit(List, boolean, long, BooleanSupplier, IntFunction)}, on the model of this version ("": the one in service). */
    public CompletableFuture<Answer<O>> submit(List<I> inputs, String version, boolean truncate, long deadlineNanos,
            BooleanSupplier cancelled, IntFunction<String> field) {
        long start = System.nanoTime();
        int[] lengths;
        try (ModelSlot.Lease<ServedModel> lease = lease(version)) {
            lengths = model.lengths(lease.model(), inputs, truncate);
        } catch (ModelSlot.NotLoadedException e) {
            throw notLoaded();
        } catch (TokenLimitException e) {
            throw Status.INVALID_ARGUMENT.withDescription(field.apply(e.index()) + ": " + e.getMessage().replaceFirst("^item \\d+ ", ""))
                    .asRuntimeException();
        }
        List<Routed<I>> routed = inputs.stream().map(i -> new Routed<>(version, i)).toList();
        return attempt(routed, lengths, deadlineNanos, cancelled, start, true);
    }

    /** Runs the inputs; if a swap split them across versions, runs them once more (all on the new one). */
    private CompletableFuture<Answer<O>> attempt(List<Routed<I>> inputs, int[] lengths, long deadline, BooleanSupplier cancelled, long start,
            boolean retry) {
        CompletableFuture<List<Computed<O>>> f;
        try {
            f = batcher.submit(inputs, lengths, deadline, cancelled);
        } catch (DynamicBatcher.QueueFullException e) {
            metrics.rejected();
            throw Status.RESOURCE_EXHAUSTED.withDescription("queue full: " + e.getMessage() + "; retry with back-off")
                    .asRuntimeException();
        }
        return f.handle((computed, error) -> {
            if (error != null) {
                throw new CompletionException(status(error));
            }
            String version = computed.get(0).version();
            if (computed.stream().anyMatch(c -> !c.version().equals(version))) {
                if (!retry) {
                    throw new CompletionException(Status.UNAVAILABLE.withDescription("the model changed twice during the request")
                            .asRuntimeException());
                }
                return null;
            }
            long compute = computed.stream().mapToLong(Computed::computeNanos).max().orElse(0);
            return new Answer<>(computed.stream().map(Computed::value).toList(), version, compute, System.nanoTime() - start);
        }).thenCompose(a -> a != null ? CompletableFuture.completedFuture(a) : attempt(inputs, lengths, deadline, cancelled, start, false));
    }

    private static StatusRuntimeException status(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        if (e instanceof DynamicBatcher.Dropped d) {
            return (d.reason().equals("deadline") ? Status.DEADLINE_EXCEEDED : Status.CANCELLED)
                    .withDescription("dropped before compute: " + d.reason()).asRuntimeException();
        }
        if (e instanceof ModelSlot.NotLoadedException) {
            return notLoaded();
        }
        return Status.INTERNAL.withDescription("the model failed: " + e).withCause(e).asRuntimeException();
    }

    private static StatusRuntimeException notLoaded() {
        return Status.FAILED_PRECONDITION.withDescription("no model is loaded yet (LoadModel, or set a checkpoint in the config)")
                .asRuntimeException();
    }

    @Override
    public void close() throws InterruptedException {
        batcher.close();
        slot.clear();
    }
}
