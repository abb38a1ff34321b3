package dev.umarvel.embedder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once a model is loaded: before that every Embed would answer FAILED_PRECONDITION. */
@Readiness
@ApplicationScoped
public class EmbedderHealth implements HealthCheck {

    @Inject
    EmbedderEngine engine;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("embedder-model").status(engine.get() != null && engine.get().server().ready()).build();
    }
}
