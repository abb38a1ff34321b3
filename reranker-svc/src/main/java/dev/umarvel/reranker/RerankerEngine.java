package dev.umarvel.reranker;

import dev.umarvel.model.Inference;
import dev.umarvel.model.RerankPair;
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

/** The served reranker, built at start-up (loading the configured checkpoint, if any). */
@ApplicationScoped
public class RerankerEngine {

    /** One pair's answer. */
    public record Scored(float probabilityYes, float logitYes, float logitNo, boolean truncated) {}

    /**
     * Pairs to P(Yes) on a leased model. A causal reranker computes each query's prefix (prompt, query) once per
     * batch and its candidates attend to the prefix's keys and values (Inference.score), which is why the batcher
     * keeps a request's pairs together: a batch of 64 pairs of 32 queries took 1.7x the time per pair of one of 2.
     */
    static final ModelServer.Model<RerankPair, Scored> MODEL = new ModelServer.Model<>() {
        @Override
        public int[] lengths(ServedModel model, List<RerankPair> pairs, boolean truncate) throws TokenLimitException {
            return model.inference().rerankLengths(pairs, truncate);
        }

        @Override
        public List<Scored> run(ServedModel model, List<RerankPair> pairs) throws Exception {
            Inference.Scores s = model.inference().score(pairs, true);
            List<Scored> out = new ArrayList<>(pairs.size());
            for (int i = 0; i < pairs.size(); i++) {
                out.add(new Scored(s.probabilityYes()[i], s.logitYes()[i], s.logitNo()[i], s.truncated()[i]));
            }
            return out;
        }
    };

    @Inject
    RerankerConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    GrpcHealthStorage health;

    private volatile ServiceEngine<RerankPair, Scored> engine;

    void start(@Observes StartupEvent event) {
        engine = new ServiceEngine<>("reranker", config, registry, MODEL);
        // the gRPC health service says SERVING only once a model answers, like /q/health/ready
        engine.reportReadiness(ready -> health.setStatus(dev.umarvel.api.v1.RerankerGrpc.SERVICE_NAME, ready
                ? HealthOuterClass.HealthCheckResponse.ServingStatus.SERVING : HealthOuterClass.HealthCheckResponse.ServingStatus.NOT_SERVING));
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        engine.close();
    }

    ServiceEngine<RerankPair, Scored> get() {
        return engine;
    }
}
