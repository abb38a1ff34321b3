package dev.umarvel.reranker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once a model is loaded: before that every Rerank would answer FAILED_PRECONDITION. */
@Readiness
@ApplicationScoped
public class RerankerHealth implements HealthCheck {

    @Inject
    RerankerEngine engine;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("reranker-model").status(engine.get() != null && engine.get().server().ready()).build();
    }
}
