package dev.umarvel.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A packaged service (its quarkus-run.jar) started as its own process, up when /q/health says so
 * (ready, or only live for a model service that waits for LoadModel). What the quickstart and the
 * benchmarks run the platform with.
 */
public final class LocalService implements AutoCloseable {

    /**
     * glibc's allocator for the model's tensors, unless the caller's environment says otherwise. By default a thread
     * other than main (the batcher, a training job) gets its own arena, whose heaps are unmapped as soon as a batch
     * frees its tensors, so every batch page-faulted its memory in again: a quarter of a pinned embedder's batching
     * thread (perf). One arena that keeps up to 1 GiB of freed memory, and tensors up to 32 MiB (glibc's most) taken
     * from it rather than mapped one by one, reuse the pages.
     */
    static final Map<String, String> MALLOC = Map.of("MALLOC_ARENA_MAX", "1", "MALLOC_TRIM_THRESHOLD_", String.valueOf(1L << 30),
            "MALLOC_MMAP_THRESHOLD_", String.valueOf(32L << 20));

    /** What a service's native libraries run with: {@link #MALLOC} where the caller's environment does not say otherwise. */
    public static void nativeEnvironment(Map<String, String> environment) {
        // OpenMP threads that spin while idle take the cores the gRPC and batching threads need (measured in bench serving)
        environment.put("OMP_WAIT_POLICY", System.getProperty("umarvel.bench.omp-wait-policy", "PASSIVE"));
        MALLOC.forEach(environment::putIfAbsent);
    }

    private final Process process;
    public final int port;
    private final ClientSecurity security;

    private LocalService(Process process, int port, ClientSecurity security) {
        this.process = process;
        this.port = port;
        this.security = security;
    }

    public long pid() {
        return process.pid();
    }

    /** The packaged application of a module: under {@code umarvel.home} (set by the umarvel script), the working directory or its parent. */
    static Path application(String module) {
        String home = System.getProperty("umarvel.home", ".");
        for (Path root : List.of(Path.of(home), Path.of("."), Path.of(".."))) {
            Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
            if (Files.exists(jar)) {
                return jar.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException(module + "/target/quarkus-app/quarkus-run.jar not found: run ./mvnw install -DskipTests first");
    }

    /**
     * A fresh deployment on {@code store}: the model services start on the checkpoints they are given, not on what an
     * earlier run's LoadModel left recorded (ServedState).
     */
    public static void forgetLoadedModels(Path store) throws IOException {
        for (String kind : List.of("embedder", "reranker")) {
            Files.deleteIfExists(dev.umarvel.serving.ServedState.file(store, kind));
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * The start of a service's command line, up to its own settings: this java, offline and headless, on the cores and with
     * the JVM options a benchmark asked for. Also what bench serving starts its in-process model with, so both run alike.
     */
    public static List<String> java() {
        List<String> command = new ArrayList<>();
        String cpus = System.getProperty("umarvel.bench.service-cpus", "");
        if (!cpus.isEmpty()) {
            command.addAll(List.of("taskset", "-c", cpus)); // bench serving --pinned: the service on its own core
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Djava.awt.headless=true"));
        String jvm = System.getProperty("umarvel.bench.service-jvm-options", "");
        if (!jvm.isBlank()) {
            command.addAll(List.of(jvm.trim().split("\\s+"))); // e.g. a flight recording of where a service's time goes
        }
        return command;
    }

    /** Starts {@code module} on a free port with these settings (as -D properties) and waits until it is ready. */
    public static LocalService start(String module, Map<String, String> settings, Path log) throws Exception {
        return start(module, freePort(), settings, log, true);
    }

    /**
     * Starts {@code module} on {@code port} with these settings (as -D properties) and waits until it is
     * ready, or only live when {@code ready} is false.
     */
    public static LocalService start(String module, int port, Map<String, String> settings, Path log, boolean ready) throws Exception {
        return start(module, port, settings, log, ready, ClientSecurity.PLAIN);
    }

    /** As above, for a service that runs under TLS: its health is asked over HTTPS, trusting {@code security}'s CA. */
    public static LocalService start(String module, int port, Map<String, String> settings, Path log, boolean ready, ClientSecurity security)
            throws Exception {
        List<String> command = java();
        command.add("-Dquarkus.http.port=" + port);
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", application(module).toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        nativeEnvironment(builder.environment());
        Process p = builder.start();
        LocalService service = new LocalService(p, port, security);
        HttpClient http = security.http();
        long until = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < until) {
            if (!p.isAlive()) {
                throw new IllegalStateException(module + " exited: see " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(security.scheme() + "://localhost:" + port + (ready ? "/q/health/ready" : "/q/health/live"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return service;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        service.close();
        throw new IllegalStateException(module + " not ready after 120 s: see " + log);
    }

    /**
     * Sums every Prometheus sample of /q/metrics whose name (before the labels) is {@code name}, e.g.
     * {@code umarvel_batch_compute_seconds_sum}: how the benchmark reads where the service's time went.
     */
    public double metric(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = security.http().send(HttpRequest.newBuilder(URI.create(security.scheme() + "://localhost:" + port
                + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        double sum = 0;
        for (String line : r.body().split("\n")) {
            int labels = line.indexOf('{');
            String key = labels >= 0 ? line.substring(0, labels) : line.split(" ")[0];
            if (!line.startsWith("#") && key.equals(name)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** SIGKILL, as a crashed node or the OOM killer would: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Leaves the process running after this JVM exits (the quickstart hands its services over to the user). */
    public void detach() {
        detached = true;
    }

    private boolean detached;

    boolean detachedState() {
        return detached;
    }

    @Override
    public void close() throws InterruptedException {
        if (detached) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
