package dev.umarvel.bench.reliability;

import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.RerankerGrpc;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.TrainerGrpc;
import dev.umarvel.cli.ClientSecurity;
import dev.umarvel.cli.LocalService;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The four packaged services as local processes on a quickstart store, run as production runs them: mutual TLS
 * on every port, bearer tokens on every call. Each keeps its port across a kill and restart, so clients and the
 * orchestrator find it again.
 */
public final class Deployment implements AutoCloseable {

    static final List<String> SERVICES = List.of("trainer", "embedder", "reranker", "orchestrator");

    final Path store;
    final Path security;
    final Path logs;
    String retriever;
    String reranker;
    public final ClientSecurity admin;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, LocalService> running = new HashMap<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final Map<String, Integer> restarts = new HashMap<>();
    /** The replicas of each model service an orchestrator calls, by service name; one ("embedder") when not set. */
    final Map<String, List<String>> replicas = new HashMap<>();
    /** The Milvus server orchestrators started from now on are given (none when null). */
    String milvusUri;

    Deployment(Path store, Path security, Path logs) throws Exception {
        this.store = store;
        this.security = security;
        this.logs = logs;
        this.admin = ClientSecurity.fromDir(security, "admin");
        Files.createDirectories(logs);
        for (String s : SERVICES) {
            ports.put(s, LocalService.freePort());
        }
    }

    /**
     * Starts (or restarts) {@code service} on its port and waits until it is ready. A second replica of a service is
     * named after it ("embedder-2"); an orchestrator started later calls every replica in {@link #replicas}.
     */
    public LocalService start(String service) throws Exception {
        String kind = service.replaceAll("-[0-9]+$", "");
        Map<String, String> settings = new HashMap<>(ClientSecurity.serverSettings(security, kind.equals("orchestrator")));
        settings.put("umarvel.store", store.toString());
        switch (kind) {
            case "embedder" -> settings.putAll(Map.of("umarvel.checkpoint", retriever, "ai.djl.pytorch.num_threads", "1"));
            case "reranker" -> settings.putAll(Map.of("umarvel.checkpoint", reranker, "ai.djl.pytorch.num_threads", "1"));
            case "orchestrator" -> settings.putAll(Map.of("umarvel.models.embedder", addresses("embedder"),
                    "umarvel.models.reranker", addresses("reranker"), "quarkus.grpc.clients.trainer.port",
                    port("trainer").toString(), "umarvel.search.rerank-timeout", "2s"));
            default -> { }
        }
        if (kind.equals("orchestrator") && milvusUri != null) {
            settings.put("umarvel.milvus.uri", milvusUri);
        }
        int n = restarts.merge(service, 1, Integer::sum);
        LocalService s = LocalService.start(kind + "-svc", port(service), settings, logs.resolve(service + "-" + n + ".log"), true, admin);
        running.put(service, s);
        return s;
    }

    /** The replicas of {@code kind} an orchestrator started now calls, as its umarvel.models setting. */
    private String addresses(String kind) {
        return String.join(",", replicas.getOrDefault(kind, List.of(kind)).stream().map(r -> "localhost:" + port(r)).toList());
    }

    /** kill -9 of {@code service}. */
    void kill(String service) throws InterruptedException {
        running.remove(service).kill();
    }

    boolean alive(String service) {
        LocalService s = running.get(service);
        return s != null && s.alive();
    }

    public Integer port(String service) {
        return ports.computeIfAbsent(service, s -> {
            try {
                return LocalService.freePort();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    public LocalService service(String name) {
        return running.get(name);
    }

    /** /q/health/ready of {@code service}: 200 when it is up and ready. */
    int health(String service) {
        try {
            HttpResponse<String> r = admin.http().send(HttpRequest.newBuilder(URI.create(admin.scheme() + "://localhost:" + port(service) + "/q/health/ready"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    public ManagedChannel channel(String service, ClientSecurity as) {
        ManagedChannel c = as.channel("localhost:" + port(service), 128 << 20);
        channels.add(c);
        return c;
    }

    RetrievalGrpc.RetrievalBlockingStub retrieval() {
        return RetrievalGrpc.newBlockingStub(channel("orchestrator", admin));
    }

    EmbedderGrpc.EmbedderBlockingStub embedder() {
        return EmbedderGrpc.newBlockingStub(channel("embedder", admin));
    }

    RerankerGrpc.RerankerBlockingStub rerankerStub() {
        return RerankerGrpc.newBlockingStub(channel("reranker", admin));
    }

    TrainerGrpc.TrainerBlockingStub trainer() {
        return TrainerGrpc.newBlockingStub(channel("trainer", admin));
    }

    @Override
    public void close() throws Exception {
        channels.forEach(ManagedChannel::shutdownNow);
        for (String kind : List.of("orchestrator", "reranker", "embedder", "trainer")) {
            for (String s : List.copyOf(running.keySet())) {
                if (s.replaceAll("-[0-9]+$", "").equals(kind)) {
                    running.remove(s).close();
                }
            }
        }
    }
}
