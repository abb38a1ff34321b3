package dev.umarvel.serving;

import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * The serving metrics of one service, exported on /q/metrics: requests and latency by RPC and status,
 * queue depth, batch size and token histograms, time queued vs computing, the loaded model version.
 */
public final class ServingMetrics implements DynamicBatcher.Observer {

    private final MeterRegistry registry;
    private final String service;
    private final DistributionSummary batchItems;
    private final DistributionSummary batchTokens;
    private final DistributionSummary paddedTokens;
    private final Timer queued;
    private final Timer computing;
    private final Counter rejected;
    private final AtomicReference<String> version = new AtomicReference<>("");

    public ServingMetrics(MeterRegistry registry, String service) {
        this.registry = registry;
        this.service = service;
        this.batchItems = DistributionSummary.builder("umarvel.batch.items").description("Items per model batch")
                .tag("service", service).publishPercentileHistogram().serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
                .register(registry);
        this.batchTokens = DistributionSummary.builder("umarvel.batch.tokens").description("Real tokens per model batch")
                .tag("service", service).publishPercentileHistogram().register(registry);
        this.paddedTokens = DistributionSummary.builder("umarvel.batch.padded.tokens")
                .description("Tokens per batch with padding (what the model computes)").tag("service", service)
                .publishPercentileHistogram().register(registry);
        this.queued = Timer.builder("umarvel.queue.wait").description("Time an item waited for its batch").tag("service", service)
                .publishPercentileHistogram().register(registry);
        this.computing = Timer.builder("umarvel.batch.compute").description("Model time per batch").tag("service", service)
                .publishPercentileHistogram().register(registry);
        this.rejected = Counter.builder("umarvel.queue.rejected").description("Requests refused because the queue was full")
                .tag("service", service).register(registry);
    }

    /** Exports the batcher's queue depth. */
    void queueDepth(IntSupplier depth) {
        Gauge.builder("umarvel.queue.depth", depth, d -> d.getAsInt()).description("Items waiting for a batch")
                .tag("service", service).register(registry);
    }

    /** One finished RPC. */
    public void request(String rpc, Status.Code code, long nanos) {
        Timer.builder("umarvel.requests").description("RPC latency by method and status").tag("service", service)
                .tag("rpc", rpc).tag("status", code.name()).publishPercentileHistogram().register(registry)
                .record(Duration.ofNanos(nanos));
    }

    void rejected() {
        rejected.increment();
    }

    /** The model in service: a gauge of 1 labelled with its version (the previous label drops to 0). */
    void modelLoaded(String newVersion) {
        String old = version.getAndSet(newVersion);
        Gauge.builder("umarvel.model.loaded", () -> newVersion.equals(version.get()) ? 1 : 0)
                .description("1 for the model version in service").tag("service", service).tag("version", newVersion)
                .register(registry);
        if (old != null && !old.isEmpty()) {
            registry.find("umarvel.model.loaded").tag("version", old).gauges().forEach(registry::remove);
        }
    }

    @Override
    public void batch(int items, int tokens, int padded, long[] queuedNanos) {
        batchItems.record(items);
        batchTokens.record(tokens);
        paddedTokens.record(padded);
        for (long q : queuedNanos) {
            queued.record(Duration.ofNanos(q));
        }
    }

    @Override
    public void computed(long nanos) {
        computing.record(Duration.ofNanos(nanos));
    }

    @Override
    public void dropped(int items, String reason) {
        Counter.builder("umarvel.queue.dropped").description("Items dropped before compute").tag("service", service)
                .tag("reason", reason).register(registry).increment(items);
    }
}
