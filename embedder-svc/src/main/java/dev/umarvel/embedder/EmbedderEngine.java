package dev.umarvel.embedder;

import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.model.TokenLimitException;
import dev.umarvel.serving.ModelServer;
import dev.umarvel.serving.ServedModel;
import dev.umarvel.serving.ServiceEngine;
import grpc.health.v1.HealthOuterClass;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/** The served embedder, built at start-up (loading the configured checkpoint, if any). */
@ApplicationScoped
public class EmbedderEngine {

    /** One item's embedding. */
    public record Embedded(float[] vector, int tokens, boolean truncated) {}

    /** Items to embeddings on a leased model. */
    static final ModelServer.Model<Item, Embedded> MODEL = new ModelServer.Model<>() {
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
    };

    @Inject
    EmbedderConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    GrpcHealthStorage health;

    private volatile ServiceEngine<Item, Embedded> engine;

    void start(@Observes StartupEvent event) {
        engine = new ServiceEngine<>("embedder", config, registry, MODEL);
        // the gRPC health service says SERVING only once a model answers, like /q/health/ready
        engine.reportReadiness(ready -> health.setStatus(dev.umarvel.api.v1.EmbedderGrpc.SERVICE_NAME, ready
                ? HealthOuterClass.HealthCheckResponse.ServingStatus.SERVING : HealthOuterClass.HealthCheckResponse.ServingStatus.NOT_SERVING));
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        engine.close();
    }

    ServiceEngine<Item, Embedded> get() {
        return engine;
    }
}
