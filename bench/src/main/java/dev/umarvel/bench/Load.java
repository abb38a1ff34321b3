package dev.umarvel.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** Load generators for a service: closed loop (N clients back to back) and open loop (a fixed arrival rate). */
public final class Load {

    /**
     * What a run measured: completed calls per second, latency percentiles of the completed calls in ms, how many
     * completed, how many were refused (RESOURCE_EXHAUSTED), and every failed call's status code (refusals included).
     */
    public record Result(double callsPerSecond, double p50, double p99, int answered, int refused, Map<String, Integer> failed) {}

    /** One call, blocking; throws on a failed call. */
    public interface Call {
        void run(int client, int n) throws Exception;
    }

    private Load() {}

    /** {@code clients} threads calling back to back for {@code seconds}; a failure other than RESOURCE_EXHAUSTED ends the run. */
    public static Result closed(int clients, double seconds, Call call) throws Exception {
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        List<Exception> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                for (int n = 0; System.nanoTime() < end; n++) {
                    long t0 = System.nanoTime();
                    try {
                        call.run(client, n);
                        latencies.add((System.nanoTime() - t0) / 1e6);
                    } catch (io.grpc.StatusRuntimeException e) {
                        if (e.getStatus().getCode() != io.grpc.Status.Code.RESOURCE_EXHAUSTED) {
                            errors.add(e);
                            return;
                        }
                        refused.incrementAndGet();
                    } catch (Exception e) {
                        errors.add(e);
                        return;
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return result(latencies, elapsed, refused.get() == 0 ? Map.of() : Map.of("RESOURCE_EXHAUSTED", refused.get()));
    }

    /** Calls arriving at {@code rate} per second for {@code seconds}, each answered asynchronously, none waiting for another. */
    public static Result open(double rate, double seconds, IntFunction<ListenableFuture<?>> call) throws Exception {
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        Map<String, Integer> failed = new ConcurrentHashMap<>();
        int total = (int) Math.max(1, rate * seconds);
        CountDownLatch done = new CountDownLatch(total);
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        long periodNanos = (long) (1e9 / rate);
        AtomicInteger sent = new AtomicInteger();
        long start = System.nanoTime();
        clock.scheduleAtFixedRate(() -> {
            int n = sent.getAndIncrement();
            if (n >= total) {
                return;
            }
            long t0 = System.nanoTime();
            Futures.addCallback(call.apply(n), new FutureCallback<Object>() {
                @Override
                public void onSuccess(Object result) {
                    latencies.add((System.nanoTime() - t0) / 1e6);
                    done.countDown();
                }

                @Override
                public void onFailure(Throwable t) {
                    failed.merge(io.grpc.Status.fromThrowable(t).getCode().name(), 1, Integer::sum);
                    done.countDown();
                }
            }, MoreExecutors.directExecutor());
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        done.await(10L * (long) seconds + 60, TimeUnit.SECONDS);
        clock.shutdownNow();
        double elapsed = (System.nanoTime() - start) / 1e9;
        return result(latencies, elapsed, failed);
    }

    private static Result result(ConcurrentLinkedQueue<Double> latencies, double elapsed, Map<String, Integer> failed) {
        double[] ms = latencies.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(ms);
        return new Result(ms.length / elapsed, percentile(ms, 0.50), percentile(ms, 0.99), ms.length,
                failed.getOrDefault("RESOURCE_EXHAUSTED", 0), new TreeMap<>(failed));
    }

    private static double percentile(double[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
