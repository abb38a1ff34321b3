package dev.umarvel.bench.reliability;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchResponse;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
        ConcurrentLinkedQueue<Double> ms = new ConcurrentLinkedQueue<>();
        Map<String, Integer> others = new ConcurrentHashMap<>();
        long rss = rssMiB();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        Thread[] threads = new Thread[clients];
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads[c] = new Thread(() -> {
                for (int n = 0; System.nanoTime() < end; n++) {
                    long t0 = System.nanoTime();
                    try {
                        r.search(Queries.search(collection, client * 10_000 + n).build());
                        ms.add((System.nanoTime() - t0) / 1e6);
                    } catch (RuntimeException e) {
                        others.merge(Status.fromThrowable(e).getCode().name(), 1, Integer::sum);
                    }
                }
            });
            threads[c].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return run(clients + " clients back to back", Double.NaN, ms, elapsed, others, rss);
    }

    /** Searches arriving at {@code rate} per second for {@code seconds}, none waiting for another. */
    Run open(double rate, double seconds) throws Exception {
        RetrievalGrpc.RetrievalFutureStub r = RetrievalGrpc.newFutureStub(d.channel("orchestrator", d.admin));
        ConcurrentLinkedQueue<Double> ms = new ConcurrentLinkedQueue<>();
        Map<String, Integer> others = new ConcurrentHashMap<>();
        long rss = rssMiB();
        int total = (int) (rate * seconds);
        CountDownLatch done = new CountDownLatch(total);
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        clock.scheduleAtFixedRate(() -> {
            int n = sent.getAndIncrement();
            if (n >= total) {
                return;
            }
            long t0 = System.nanoTime();
            Futures.addCallback(r.withDeadlineAfter(30, TimeUnit.SECONDS).search(Queries.search(collection, n).build()),
                    new FutureCallback<SearchResponse>() {
                        public void onSuccess(SearchResponse v) {
                            ms.add((System.nanoTime() - t0) / 1e6);
                            done.countDown();
                        }

                        public void onFailure(Throwable t) {
                            others.merge(Status.fromThrowable(t).getCode().name(), 1, Integer::sum);
                            done.countDown();
                        }
                    }, MoreExecutors.directExecutor());
        }, 0, (long) (1e9 / rate), TimeUnit.NANOSECONDS);
        done.await((long) seconds + 60, TimeUnit.SECONDS);
        clock.shutdownNow();
        double elapsed = (System.nanoTime() - start) / 1e9;
        return run(String.format("open loop at %.0f/s", rate), rate, ms, elapsed, others, rss);
    }

    private Run run(String label, double offered, ConcurrentLinkedQueue<Double> ms, double elapsed, Map<String, Integer> others, long rssBefore)
            throws Exception {
        double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Run(label, offered, sorted.length / elapsed, percentile(sorted, 0.5), percentile(sorted, 0.99), sorted.length,
                new TreeMap<>(others), rssBefore, rssMiB());
    }

    private static double percentile(double[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
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
