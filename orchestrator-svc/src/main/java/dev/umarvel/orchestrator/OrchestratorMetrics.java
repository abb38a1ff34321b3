package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.api.v1.SearchResponse;
import dev.umarvel.api.v1.StageTiming;
import io.grpc.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The orchestrator's Prometheus metrics: requests by RPC and status; search latency by mode asked and
 * mode run, and by stage; AUTO's rerank fraction (reranked / all AUTO searches); degraded answers;
 * candidates per collection.
 */
@ApplicationScoped
public class OrchestratorMetrics {

    @Inject
    MeterRegistry registry;

    @Inject
    Collections collections;

    private final Map<String, Boolean> gauged = new ConcurrentHashMap<>();

    public void request(String rpc, Status.Code code, long nanos) {
        Timer.builder("umarvel.requests").tag("rpc", rpc).tag("status", code.name()).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    void search(SearchMode asked, SearchResponse response) {
        String mode = shortName(asked);
        for (StageTiming t : response.getTimingsList()) {
            Timer.builder("umarvel.search.stage").tag("mode", mode).tag("stage", t.getStage()).publishPercentileHistogram()
                    .register(registry).record(t.getMicros(), TimeUnit.MICROSECONDS);
        }
        if (asked == SearchMode.SEARCH_MODE_AUTO) {
            registry.counter("umarvel.search.auto", "reranked", String.valueOf(response.getModeRun() == SearchMode.SEARCH_MODE_CASCADE))
                    .increment();
        }
        registry.counter("umarvel.search.answers", "mode", mode, "mode_run", shortName(response.getModeRun()), "degraded",
                String.valueOf(response.getDegraded())).increment();
    }

    void degraded(SearchMode asked) {
        registry.counter("umarvel.search.degraded", "mode", shortName(asked)).increment();
    }

    /** Exposes a collection's size once it is in use (read at scrape time from its index). */
    void watch(String collection) {
        gauged.computeIfAbsent(collection, c -> {
            Gauge.builder("umarvel.collection.size", () -> size(c)).tag("collection", c).register(registry);
            return true;
        });
    }

    private double size(String collection) {
        try {
            return collections.index(collection).size();
        } catch (Exception gone) {
            return Double.NaN;
        }
    }

    private static String shortName(SearchMode m) {
        return m.name().replace("SEARCH_MODE_", "").toLowerCase();
    }
}
