package dev.umarvel.embedder;

import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.model.TokenLimitException;
import dev.umarvel.serving.Inputs;
import dev.umarvel.serving.ModelServer;
import dev.umarvel.serving.ServedModel;
import dev.umarvel.serving.ServingMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/** The served embedder: the model server with its batcher, built at start, and the checkpoint named in the config loaded. */
@ApplicationScoped
public class EmbedderEngine {

    private static final Logger LOG = Logger.getLogger(EmbedderEngine.class);

    /** One item's embedding. */
    public record Embedded(float[] vector, int tokens, boolean truncated) {}

    @Inject
    EmbedderConfig config;

    @Inject
    MeterRegistry registry;

    private ModelServer<Item, Embedded> server;
    private ServingMetrics metrics;
    private Inputs inputs;

    void start(@Observes StartupEvent event) {
        metrics = new ServingMetrics(registry, "embedder");
        server = new ModelServer<>("embedder", config.store(), config.batcher(), new ModelServer.Model<>() {
            @Override
            public int[] lengths(ServedModel model, List<Item> items, boolean truncate) throws TokenLimitException {
                return model.inference().embeddingLengths(items, truncate);
            }

            @Override
            public List<Embedded> run(ServedModel model, List<Item> items) throws Exception {
                Inference.Embeddings e = model.inference().embed(items, true);
                List<Embedded> out = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++) {
                    out.add(new Embedded(e.vectors()[i], e.tokens()[i], e.truncated()[i]));
                }
                return out;
            }
        }, metrics);
        config.checkpoint().ifPresent(c -> {
            LOG.infof("loading %s", c);
            server.load(c);
        });
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        server.close();
    }

    /** Images are decoded at the size of the model in service (a later swap keeps the preset's size). */
    synchronized Inputs inputs() {
        int size = server.inspect(m -> m.inference().config().imageSize());
        if (inputs == null || inputs.imageSize() != size) {
            inputs = new Inputs(config.store(), config.inputLimits(), size);
        }
        return inputs;
    }

    ModelServer<Item, Embedded> server() {
        return server;
    }

    ServingMetrics metrics() {
        return metrics;
    }

    boolean truncateByDefault() {
        return config.truncateByDefault();
    }
}
