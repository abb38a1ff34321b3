package dev.umarvel.orchestrator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the store is writable and the embedder answers with a loaded model (searches and upserts need both). */
@Readiness
@ApplicationScoped
public class OrchestratorHealth implements HealthCheck {

    @Inject
    OrchestratorConfig config;

    @Inject
    ModelClients models;

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("orchestrator");
        try {
            Files.createDirectories(config.store());
            boolean writable = Files.isWritable(config.store());
            String version = models.embedderModel().getVersion();
            return b.status(writable).withData("store_writable", writable).withData("embedder_model", version).build();
        } catch (Exception e) {
            return b.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
