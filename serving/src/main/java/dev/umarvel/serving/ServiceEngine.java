package dev.umarvel.serving;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;

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

    private static final Logger LOG = Logger.getLogger(ServiceEngine.class.getName());

    /**
     * Starts on the model of the last LoadModel when the store remembers one for the configured checkpoint
     * ({@link ServedState}), else on the configured checkpoint; every later load is remembered.
     *
     * @param kind "embedder" or "reranker": the checkpoint kind served and the metrics' service label
     */
    public ServiceEngine(String kind, ServingConfig config, MeterRegistry registry, ModelServer.Model<I, O> model) {
        this.config = config;
        this.metrics = new ServingMetrics(registry, kind);
        this.server = new ModelServer<>(kind, config.store(), config.batcher(), model, metrics);
        Path state = ServedState.file(config.store(), kind);
        String configured = config.checkpoint().orElse("");
        if (!config.rememberLoads() || !restore(state, configured)) {
            config.checkpoint().ifPresent(server::load);
        }
        if (config.rememberLoads()) {
            server.onLoad(() -> remember(state, configured));
        }
    }

    private boolean restore(Path state, String configured) {
        Optional<ServedState> last = ServedState.restore(state, configured);
        if (last.isEmpty()) {
            return false;
        }
        try {
            boolean retains = !last.get().retained().isBlank();
            if (retains) {
                server.load(last.get().retained());
            }
            server.load(last.get().live(), retains);
            LOG.info("serving " + last.get().live() + (retains ? " (retaining " + last.get().retained() + ")" : "")
                    + ", the last LoadModel's, as " + state + " records");
            return true;
        } catch (RuntimeException e) {
            LOG.warning("cannot restore the last LoadModel's model (" + e.getMessage() + "): serving the configured checkpoint");
            return false;
        }
    }

    private void remember(Path state, String configured) {
        try {
            new ServedState(configured, server.info().getCheckpointPath(), server.retainedCheckpoint()).save(state);
        } catch (IOException | RuntimeException e) {
            LOG.warning("the model now served is not recorded in " + state + " (" + e.getMessage() + "): a restart serves the configured one");
        }
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
