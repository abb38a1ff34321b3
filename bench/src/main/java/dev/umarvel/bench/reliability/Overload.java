package dev.umarvel.bench.reliability;

import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.bench.Load;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The orchestrator's saturation rate (closed loop), then twice that rate offered open loop: what is admitted,
 * what is refused and with which status, the admitted searches' latency, and the process's memory.
 */
final class Overload {

    /** A run: offered and answered rates, admitted latency percentiles (ms), statuses of the others, RSS before and after (MiB). */
    record Run(String label, double offeredPerSecond, double answeredPerSecond, double p50, double p99, int admitted, Map<String, Integer> refused,
            long rssBeforeMiB, long rssAfterMiB) {}

    private final Deployment d;
    private final String collection;

    Overload(Deployment d, String collection) {
        this.d = d;
        this.collection = collection;
    }

    /** {@code clients} back-to-back searchers for {@code seconds}: the rate the orchestrator sustains. */
    Run saturation(int clients, double seconds) throws Exception {
        RetrievalGrpc.RetrievalBlockingStub r = d.retrieval();
        long rss = rssMiB();
        Load.Result l = Load.closed(clients, seconds, (client, n) -> r.search(Queries.search(collection, client * 10_000 + n).build()));
        return new Run(clients + " clients back to back", Double.NaN, l.callsPerSecond(), l.p50(), l.p99(), l.answered(), l.failed(), rss, rssMiB());
    }

    /** Searches arriving at {@code rate} per second for {@code seconds}, none waiting for another. */
    Run open(double rate, double seconds) throws Exception {
        RetrievalGrpc.RetrievalFutureStub r = RetrievalGrpc.newFutureStub(d.channel("orchestrator", d.admin));
        long rss = rssMiB();
        Load.Result l = Load.open(rate, seconds, n -> r.withDeadlineAfter(30, TimeUnit.SECONDS).search(Queries.search(collection, n).build()));
        return new Run(String.format("open loop at %.0f/s", rate), rate, l.callsPerSecond(), l.p50(), l.p99(), l.answered(), l.failed(), rss, rssMiB());
    }

    /** The orchestrator process's resident memory (Linux /proc; -1 elsewhere). */
    private long rssMiB() throws Exception {
        Path status = Path.of("/proc", String.valueOf(d.service("orchestrator").pid()), "status");
        if (!Files.exists(status)) {
            return -1;
        }
        return Files.readAllLines(status).stream().filter(l -> l.startsWith("VmRSS:")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).orElse(-1L);
    }
}
