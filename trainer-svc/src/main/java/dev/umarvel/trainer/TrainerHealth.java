package dev.umarvel.trainer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while the worker that runs jobs is alive. */
@Readiness
@ApplicationScoped
public class TrainerHealth implements HealthCheck {

    @Inject
    JobManager jobs;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("trainer-worker").status(jobs.healthy()).build();
    }
}
