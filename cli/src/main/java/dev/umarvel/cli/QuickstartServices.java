package dev.umarvel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.Json;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The four services of a quickstart as local processes on the default ports where they are free
 * (orchestrator 9090, embedder 9091, reranker 9092, trainer 9093), else on free ones. Their pids and
 * ports are kept in {@code services.json}, so that the next quickstart stops them first and the
 * user can find them.
 */
final class QuickstartServices implements AutoCloseable {

    private static final String FILE = "services.json";

    private final Path store;
    private final Path work;
    private final List<LocalService> started = new ArrayList<>();
    private final Map<LocalService, String> names = new HashMap<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    LocalService trainer;
    LocalService embedder;
    LocalService reranker;
    LocalService orchestrator;

    /** The certificates and tokens the services run under ({@code null}: plaintext, no tokens). */
    private final Path securityDir;
    private final ClientSecurity security;

    QuickstartServices(Path store, Path work, Path securityDir) throws IOException {
        this.store = store;
        this.work = work;
        this.securityDir = securityDir;
        if (securityDir != null) {
            SecurityCommand.init(securityDir, dev.umarvel.security.CertificateAuthority.DEFAULT_NAMES);
            this.security = ClientSecurity.fromDir(securityDir, "admin");
        } else {
            this.security = ClientSecurity.PLAIN;
        }
    }

    /** How this command's own clients reach the services. */
    ClientSecurity security() {
        return security;
    }

    void startTrainer() throws Exception {
        trainer = start("trainer-svc", 9093, Map.of("umarvel.store", store.toString()), true);
    }

    /** The embedder and reranker on these checkpoints (one PyTorch thread each: they share the cores), then the orchestrator. */
    void startModels(String retriever, String rerankerCheckpoint) throws Exception {
        LocalService.forgetLoadedModels(store); // the models just trained, not what an earlier run's Distill loaded
        embedder = start("embedder-svc", 9091, Map.of("umarvel.store", store.toString(), "umarvel.checkpoint", retriever,
                "ai.djl.pytorch.num_threads", "1"), true);
        reranker = start("reranker-svc", 9092, Map.of("umarvel.store", store.toString(), "umarvel.checkpoint", rerankerCheckpoint,
                "ai.djl.pytorch.num_threads", "1"), true);
        Map<String, String> o = new HashMap<>(Map.of("umarvel.store", store.toString(), "umarvel.models.embedder",
                "localhost:" + embedder.port, "umarvel.models.reranker", "localhost:" + reranker.port,
                "quarkus.grpc.clients.trainer.port", String.valueOf(trainer.port), "umarvel.search.rerank-timeout", "30s"));
        orchestrator = start("orchestrator-svc", 9090, o, true);
    }

    private LocalService start(String module, int preferred, Map<String, String> settings, boolean ready) throws Exception {
        int port = free(preferred) ? preferred : LocalService.freePort();
        Map<String, String> all = new HashMap<>(settings);
        if (securityDir != null) {
            all.putAll(ClientSecurity.serverSettings(securityDir, module.equals("orchestrator-svc")));
        }
        try (Progress bar = new Progress("start " + module, 1)) {
            LocalService s = LocalService.start(module, port, all, work.resolve(module + ".log"), ready, security);
            started.add(s);
            names.put(s, module.replace("-svc", ""));
            record();
            return s;
        }
    }

    ManagedChannel channel(LocalService service) {
        ManagedChannel c = security.channel("localhost:" + service.port);
        channels.add(c);
        return c;
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void record() throws IOException {
        ObjectNode o = Json.MAPPER.createObjectNode();
        for (LocalService s : started) {
            o.putObject(name(s)).put("port", s.port).put("pid", s.pid());
        }
        AtomicWriter.write(work.resolve(FILE), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o));
    }

    private String name(LocalService s) {
        return names.get(s);
    }

    /** How to reach the services and stop them. */
    String describe() {
        return describe("a red circle on the left");
    }

    /** As {@link #describe()}, with {@code example} as the search to try. */
    String describe(String example) {
        StringBuilder b = new StringBuilder("services (logs and pids in " + work + "):\n");
        for (LocalService s : started) {
            b.append(String.format("  %-12s localhost:%d  pid %d%n", name(s), s.port, s.pid()));
        }
        if (orchestrator != null) {
            b.append("search them: ./umarvel search \"").append(example.replace("\"", "\\\"")).append("\" --collection ").append(QuickstartCommand.COLLECTION)
                    .append(" --via localhost:").append(orchestrator.port)
                    .append(securityDir == null ? "" : " --tls-dir " + securityDir + " --token-file " + securityDir.resolve("admin.token"))
                    .append('\n');
            b.append("or open the console: ").append(securityDir == null ? "http" : "https").append("://localhost:").append(orchestrator.port)
                    .append("/console/").append(securityDir == null ? "" : "  (token: " + securityDir.resolve("admin.token") + ")").append('\n');
        }
        return b.append("stop them: kill ").append(String.join(" ", started.stream().map(s -> String.valueOf(s.pid())).toList()))
                .append("  (or run the quickstart again)").toString();
    }

    /** Leaves the services running after this command ends. */
    void handOver() {
        started.forEach(LocalService::detach);
    }

    /** Stops the services a previous quickstart left running. */
    static void stopEarlier(Path work) throws IOException {
        Path file = work.resolve(FILE);
        if (!Files.exists(file)) {
            return;
        }
        JsonNode o = Json.MAPPER.readTree(file.toFile());
        o.fields().forEachRemaining(e -> ProcessHandle.of(e.getValue().path("pid").asLong())
                .filter(p -> p.info().commandLine().map(c -> c.contains("quarkus-run.jar")).orElse(false)).ifPresent(p -> {
            System.out.println("stopping the " + e.getKey() + " of an earlier quickstart (pid " + p.pid() + ")");
            p.destroy();
            p.onExit().join();
        }));
        Files.delete(file);
    }

    @Override
    public void close() throws Exception {
        channels.forEach(ManagedChannel::shutdownNow);
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        if (started.stream().noneMatch(s -> s.detachedState())) {
            Files.deleteIfExists(work.resolve(FILE));
        }
    }
}
