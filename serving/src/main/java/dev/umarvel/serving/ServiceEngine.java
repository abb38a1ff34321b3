package dev.umarvel.serving;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * What a model service runs on: its model server (batcher + swappable model), its metrics, and the
 * input decoder sized for the model in service. Each service builds one at start-up.
 *
 * @param <I> one model input
 * @param <O> its result
 */
public final class ServiceEngine<I, O> implements AutoCloseable {

    private final ServingConfig config;
    private final ServingMetrics metrics;
    private final ModelServer<I, O> server;
    private Inputs inputs;

    /** @param kind "embedder" or "reranker": the checkpoint kind served and the metrics' service label */
    public ServiceEngine(String kind, ServingConfig config, MeterRegistry registry, ModelServer.Model<I, O> model) {
        this.config = config;
        this.metrics = new ServingMetrics(registry, kind);
        this.server = new ModelServer<>(kind, config.store(), config.batcher(), model, metrics);
        config.checkpoint().ifPresent(server::load);
    }

    /** Tells {@code sink} whether a model serves, now and after every load (for the gRPC health service). */
    public void reportReadiness(java.util.function.Consumer<Boolean> sink) {
        Runnable report = () -> sink.accept(server.ready());
        server.onLoad(report);
        report.run();
    }

    public ModelServer<I, O> server() {
        return server;
    }

    public ServingMetrics metrics() {
        return metrics;
    }

    /** Images are decoded at the image size of the model in service; FAILED_PRECONDITION before a load. */
    public synchronized Inputs inputs() {
        int size = server.inspect(m -> m.inference().config().imageSize());
        if (inputs == null || inputs.imageSize() != size) {
            inputs = new Inputs(config.store(), config.inputLimits(), size);
        }
        return inputs;
    }

    /** Whether an unset truncation cuts text (else refuses it). */
    public boolean truncateByDefault() {
        return config.truncateByDefault();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
