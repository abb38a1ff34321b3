package dev.umarvel.bench;

import dev.umarvel.cli.LocalService;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.protobuf.ByteString;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.EmbedRequest;
import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.Image;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RerankRequest;
import dev.umarvel.api.v1.RerankerGrpc;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.OfflineEngine;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.text.TextTokenizer;
import dev.umarvel.model.text.VocabularyBuilder;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Serving throughput and latency of embedder-svc and reranker-svc, each started as its own process
 * from its packaged application with a {@code small} model: 32 concurrent clients with dynamic
 * batching vs the same service running each request in model calls of its own (no sharing across
 * requests: batch-1 for the embedder's one-item requests, one call of 50 pairs for a reranker
 * request), vs the model batched in process (the ceiling), all in one run; then p50/p99 at 50 % and
 * 90 % of the measured peak, as an open-loop arrival rate. The reranker part sends 50 candidates per
 * request and also measures what reusing the query prefix could save at best. With {@code --pinned},
 * the model (in process, and each service) runs on CPU 0 with one PyTorch thread and the clients on
 * CPU 1, so that the service is compared with the in-process model on the same single core.
 */
final class ServingBench {

    static final List<String> WORDS = List.of("a", "red", "green", "blue", "yellow", "big", "small", "striped", "dotted", "circle",
            "square", "star", "triangle", "on", "the", "left", "right", "top", "bottom", "of", "picture", "find", "image", "that",
            "matches", "caption", "with", "and", "next", "to");

    private static Map<String, String> serviceThreads = Map.of();
    /** Settings every service of the run gets (--max-delay: the batchers' delay). */
    private static Map<String, String> serviceSettings = Map.of();
    private static boolean pinned;
    /** Seconds of load before each measurement (--warm-up). */
    private static double warmUp = 6;
    /**
     * Texts the load draws from, each sent about once: more than the tokenizer keeps (TextTokenizer.CACHED_TEXTS), so a
     * service encodes every text it is sent, as under real traffic, and its batches find what it encoded on arrival.
     */
    private static final int DISTINCT_TEXTS = 40_000;
    /** The setting under which a service runs each request in model calls of its own. */
    private static final Map<String, String> PER_REQUEST = Map.of("umarvel.batch.across-requests", "false");

    private ServingBench() {}

    static void run(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        boolean quick = a.has("--quick");
        // PyTorch threads of each service process (default: the engine's, one per core)
        serviceThreads = a.has("--service-threads") ? Map.of("ai.djl.pytorch.num_threads", a.text("--service-threads", null)) : Map.of();
        if (a.has("--omp-wait-policy")) {
            System.setProperty("umarvel.bench.omp-wait-policy", a.text("--omp-wait-policy", null));
        }
        pinned = a.has("--pinned");
        serviceSettings = a.has("--max-delay") ? Map.of("umarvel.batch.max-delay", a.text("--max-delay", null)) : Map.of();
        if (pinned) {
            // before the engine starts: one intra-op and one inter-op thread, as the pinned services get
            System.setProperty("ai.djl.pytorch.num_threads", "1");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            System.setProperty("umarvel.bench.service-cpus", "0");
            serviceThreads = Map.of("ai.djl.pytorch.num_threads", "1", "ai.djl.pytorch.num_interop_threads", "1");
            pinSelf(1); // the load clients' core: the model runs in processes of its own on CPU 0 (services, InProcessModel)
        }
        double seconds = quick ? 3 : 8;
        // pinned, the JIT shares the service's one core with the model: C2 was still taking 40 % of it after 30 s of load and
        // went quiet after about 75 s (per-thread CPU from /proc); on two cores 6 s is enough
        warmUp = a.decimal("--warm-up", pinned ? 90 : 6);
        Path store = Files.createTempDirectory("umarvel-serving-bench");
        Path checkpoint = a.has("--checkpoint") ? Path.of(a.text("--checkpoint", null)) : null;
        if (checkpoint == null) {
            writeCheckpoint(store.resolve("embedder"), "embedder");
            writeCheckpoint(store.resolve("reranker"), "reranker");
        } else { // a trained or imported model's weights, served in both roles
            copyCheckpoint(checkpoint, store.resolve("embedder"), "embedder");
            copyCheckpoint(checkpoint, store.resolve("reranker"), "reranker");
        }
        Random random = new Random(7);
        List<ByteString> images = new ArrayList<>(); // shared by every request that sends them
        for (int i = 0; i < 16; i++) {
            images.add(ByteString.copyFrom(BenchImages.png(random)));
        }
        Report report = new Report("serving").context("model", checkpoint == null
                        ? "small preset (random weights: speed does not depend on training)" : "the checkpoint " + checkpoint)
                .context("clients", "32 concurrent, closed loop; then open loop at 50 % / 90 % of the dynamic peak")
                .context("seconds", seconds + " per measurement, after " + warmUp + " s of warm-up")
                .context("cores", pinned ? "model and service on CPU 0, clients on CPU 1 (taskset)"
                        : Runtime.getRuntime().availableProcessors() + " (clients, gRPC and the model share them)")
                .context("service PyTorch threads", serviceThreads.getOrDefault("ai.djl.pytorch.num_threads", "engine default"))
                .context("services' OMP_WAIT_POLICY", System.getProperty("umarvel.bench.omp-wait-policy", "PASSIVE"))
                .context("batching delay", serviceSettings.getOrDefault("umarvel.batch.max-delay", "the services' default"))
                .context("in-process model", "a JVM of its own, started as the services are (their java, native environment, "
                        + "PyTorch threads and core)");
        String which = a.text("--only", "both");
        if (!which.equals("reranker")) {
            embedder(report, store, images, random, seconds);
        }
        if (!which.equals("embedder")) {
            reranker(report, store, images, random, seconds);
        }
        report.publish(Path.of(System.getProperty("umarvel.bench.out", "target/bench")));
    }

    // ---- embedder ---------------------------------------------------------------------------------

    private static void embedder(Report report, Path store, List<ByteString> images, Random random, double seconds) throws Exception {
        List<EmbedItem> items = new ArrayList<>();
        for (int i = 0; i < DISTINCT_TEXTS; i++) {
            String text = sentence(random, 6 + random.nextInt(8));
            if (i % 2 == 0) {
                items.add(EmbedItem.newBuilder().setQuery(Query.newBuilder().setInstruction("find the image that matches the caption")
                        .setContent(Content.newBuilder().setText(text))).build());
            } else {
                items.add(EmbedItem.newBuilder().setCandidate(Content.newBuilder().setText(text)
                        .setImage(Image.newBuilder().setData(images.get(i % images.size())).setMimeType("image/png"))).build());
            }
        }
        // the same warm-up as each service gets (cold, batches of 64 measured 286-337 items/s; warm, 563-592)
        Map<String, Double> model = InProcessModel.measure("embedder", store, items, warmUp, seconds, serviceThreads);
        double inProcess = model.get("batches-of-64");
        double inProcess32 = model.get("batches-of-32");
        double inProcess1 = model.get("one-per-call");
        double[] decode = {model.get("decode-us"), model.get("imageio-decode-us")};
        Load.Result batch1 = embedderService(report, store, PER_REQUEST, items, seconds, null);
        Load.Result[] dynamic = new Load.Result[3];
        embedderService(report, store, Map.of(), items, seconds, dynamic);
        report.row("embedder in process, batches of 64", inProcess, "items/s", "the ceiling: no gRPC, no decoding, no queue");
        report.row("embedder-svc batch-1 (one request per model call), 32 clients", batch1.callsPerSecond(), "items/s", "p50 "
                + ms(batch1.p50()) + ", p99 " + ms(batch1.p99()));
        report.row("embedder-svc dynamic batching, 32 clients", dynamic[0].callsPerSecond(), "items/s", "p50 " + ms(dynamic[0].p50())
                + ", p99 " + ms(dynamic[0].p99()));
        report.row("embedder: dynamic / batch-1", dynamic[0].callsPerSecond() / batch1.callsPerSecond(), "x", "target >= 3");
        report.row("embedder in process, batches of 32", inProcess32, "items/s", "the most 32 one-item clients can be batched to");
        report.row("embedder: dynamic / in process", dynamic[0].callsPerSecond() / Math.max(inProcess, inProcess32), "x",
                "target >= 0.85; against the better of the two in-process figures");
        report.row("embedder in process, one item per call", inProcess1, "items/s", "batch-1 without a server");
        report.row("embedder in process: batched / one item per call", Math.max(inProcess, inProcess32) / inProcess1, "x",
                "the most dynamic / batch-1 could reach if both paid nothing outside the model");
        latencyRows(report, "embedder", dynamic);
        report.row("image decode (64x64 PNG), ImageDecoder", decode[0], "us", "what a service does per image it is sent");
        report.row("image decode, ImageIO.read then the same resize", decode[1], "us", "the JDK's way: through a temporary file");
        report.row("image decode: ImageIO.read / ImageDecoder", decode[1] / decode[0], "x", "same run");
    }

    /** Closed loop at 32 clients; with {@code dynamic} non-null, also the open loop at 50 % and 90 % of that peak. */
    private static Load.Result serve(Report report, String module, Path store, Map<String, String> extra, double seconds, Load.Result[] dynamic,
            java.util.function.Function<ManagedChannel, Load.Call> closed,
            java.util.function.Function<ManagedChannel, java.util.function.IntFunction<ListenableFuture<?>>> open) throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("umarvel.store", store.toString(), "umarvel.checkpoint",
                module.replace("-svc", ""), "umarvel.batch.queue-capacity", "8192"));
        settings.putAll(serviceSettings);
        settings.putAll(extra);
        settings.putAll(serviceThreads);
        try (LocalService service = LocalService.start(module, settings, store.resolve(module + ".log"))) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", service.port).usePlaintext()
                    .maxInboundMessageSize(64 << 20).build();
            try {
                Load.Call call = closed.apply(channel);
                // warm-up until the JIT has compiled the hot paths: C2 still took a third of a core after 1 s. The
                // metrics are read during it too: pinned, compiling the first scrapes took a fifth of the core in the
                // measured seconds (perf)
                for (int half = 0; half < 2; half++) {
                    busy(service);
                    Load.closed(32, warmUp / 2, call);
                }
                double[] before = busy(service);
                long t0 = System.nanoTime();
                Load.Result peak = Load.closed(32, seconds, call);
                double wall = (System.nanoTime() - t0) / 1e9;
                double[] after = busy(service);
                double batches = after[1] - before[1];
                report.row(module + (dynamic == null ? " per request" : " dynamic") + ": model computing", 100 * (after[0] - before[0]) / wall,
                        "% of the time", String.format("%.1f items per batch, %.1f ms per batch (the service's own metrics)",
                                (after[2] - before[2]) / batches, 1000 * (after[0] - before[0]) / batches));
                if (dynamic != null) {
                    dynamic[0] = peak;
                    for (int i = 1; i <= 2; i++) {
                        dynamic[i] = Load.open((i == 1 ? 0.5 : 0.9) * peak.callsPerSecond(), seconds, open.apply(channel));
                    }
                }
                return peak;
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static Load.Result embedderService(Report report, Path store, Map<String, String> extra, List<EmbedItem> items, double seconds,
            Load.Result[] dynamic) throws Exception {
        return serve(report, "embedder-svc", store, extra, seconds, dynamic, channel -> {
            EmbedderGrpc.EmbedderBlockingStub stub = EmbedderGrpc.newBlockingStub(channel);
            // each client on a stretch of the items of its own: no text is sent twice within a tokenizer cache's span
            return (client, n) -> stub.embed(EmbedRequest.newBuilder().addItems(items.get((client * items.size() / 32 + n) % items.size())).build());
        }, channel -> {
            EmbedderGrpc.EmbedderFutureStub async = EmbedderGrpc.newFutureStub(channel);
            return n -> async.embed(EmbedRequest.newBuilder().addItems(items.get(n % items.size())).build());
        });
    }

    // ---- reranker ---------------------------------------------------------------------------------

    private static void reranker(Report report, Path store, List<ByteString> images, Random random, double seconds) throws Exception {
        List<RerankRequest> requests = new ArrayList<>();
        for (int r = 0; r < DISTINCT_TEXTS / 50; r++) {
            RerankRequest.Builder b = RerankRequest.newBuilder().setQuery(Query.newBuilder()
                    .setInstruction("find the image that matches the caption").setContent(Content.newBuilder().setText(sentence(random, 8))));
            for (int c = 0; c < 50; c++) {
                b.addCandidates(Content.newBuilder().setText(sentence(random, 4 + random.nextInt(6))).setImage(Image.newBuilder()
                        .setData(images.get((r + c) % images.size()))));
            }
            requests.add(b.build());
        }
        Map<String, Double> model = InProcessModel.measure("reranker", store, requests, warmUp, seconds, serviceThreads);
        double inProcess = model.get("requests");
        double prefixSaving = model.get("prefix-saving");
        double prefixSpeedup = model.get("prefix-speedup");
        Load.Result batch1 = rerankerService(report, store, PER_REQUEST, requests, seconds, null);
        Load.Result[] dynamic = new Load.Result[3];
        rerankerService(report, store, Map.of(), requests, seconds, dynamic);
        report.row("reranker in process, 50 pairs per call", inProcess, "requests/s", "the ceiling");
        report.row("reranker-svc one call per request (50 pairs), 32 clients", batch1.callsPerSecond(), "requests/s", "p50 "
                + ms(batch1.p50()) + ", p99 " + ms(batch1.p99()));
        report.row("reranker-svc dynamic batching, 32 clients x 50 candidates", dynamic[0].callsPerSecond(), "requests/s", "p50 "
                + ms(dynamic[0].p50()) + ", p99 " + ms(dynamic[0].p99()));
        report.row("reranker: dynamic / one call per request", dynamic[0].callsPerSecond() / batch1.callsPerSecond(), "x",
                "what sharing calls across requests adds");
        report.row("reranker: dynamic / in process", dynamic[0].callsPerSecond() / inProcess, "x", "target >= 0.85");
        report.row("reranker: best saving of a query-prefix cache", 100 * prefixSaving, "%",
                "upper bound: 1 - time(the 50 candidates alone) / time(50 full pairs), in process");
        report.row("reranker: query prefix computed once / every pair whole", prefixSpeedup, "x",
                "in process, 50 pairs: Inference.score vs scoreFull, same run");
        latencyRows(report, "reranker", dynamic);
    }

    private static Load.Result rerankerService(Report report, Path store, Map<String, String> extra, List<RerankRequest> requests, double seconds,
            Load.Result[] dynamic) throws Exception {
        return serve(report, "reranker-svc", store, extra, seconds, dynamic, channel -> {
            RerankerGrpc.RerankerBlockingStub stub = RerankerGrpc.newBlockingStub(channel);
            return (client, n) -> stub.rerank(requests.get((client * requests.size() / 32 + n) % requests.size()));
        }, channel -> {
            RerankerGrpc.RerankerFutureStub async = RerankerGrpc.newFutureStub(channel);
            return n -> async.rerank(requests.get(n % requests.size()));
        });
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** With --pinned: this JVM's threads (and those they start) on {@code cpu} only. */
    private static void pinSelf(int cpu) throws Exception {
        Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", String.valueOf(cpu), String.valueOf(ProcessHandle.current().pid()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("taskset could not pin the benchmark to CPU " + cpu);
        }
    }

    /** {model seconds, batches, items} the service has computed so far. */
    private static double[] busy(LocalService service) throws Exception {
        return new double[] {service.metric("umarvel_batch_compute_seconds_sum"), service.metric("umarvel_batch_compute_seconds_count"),
                service.metric("umarvel_batch_items_sum")};
    }

    private static void latencyRows(Report report, String name, Load.Result[] dynamic) {
        String[] load = {"", "50 %", "90 %"};
        for (int i = 1; i <= 2; i++) {
            report.row(name + " p50 at " + load[i] + " of peak", dynamic[i].p50(), "ms", String.format("open loop, %.1f calls/s, %d refused",
                    dynamic[i].callsPerSecond(), dynamic[i].refused()));
            report.row(name + " p99 at " + load[i] + " of peak", dynamic[i].p99(), "ms", "");
        }
    }

    private static String ms(double v) {
        return String.format("%.1f ms", v);
    }

    static String sentence(Random random, int words) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < words; i++) {
            s.append(i == 0 ? "" : " ").append(WORDS.get(random.nextInt(WORDS.size())));
        }
        return s.toString();
    }

    /** A small-preset checkpoint with random weights over {@link #WORDS}. */
    /** {@code from}'s model and tokenizer saved as a checkpoint of {@code kind}, which is what a service checks. */
    private static void copyCheckpoint(Path from, Path dir, String kind) throws Exception {
        try (NDManager manager = OfflineEngine.pytorch().newBaseManager()) {
            Checkpoint.Loaded loaded = Checkpoint.load(from, manager);
            loaded.tokenizer().close();
            Checkpoint.save(dir, loaded.model(), from.resolve(Checkpoint.TOKENIZER), kind, "BENCH", "", 0, null, Map.of(), Map.of());
        }
    }

    static void writeCheckpoint(Path dir, String kind) throws Exception {
        Path tokenizer = Files.createTempFile("bench-tokenizer", ".json");
        VocabularyBuilder words = new VocabularyBuilder();
        words.add(String.join(" ", WORDS));
        VocabularyBuilder.write(words.vocabulary(1000, 1), tokenizer);
        int vocab;
        try (TextTokenizer t = TextTokenizer.load(tokenizer)) {
            vocab = t.vocabSize();
        }
        ModelConfig config = ModelConfig.small().withVocabSize(vocab);
        if (kind.equals("reranker")) {
            config = config.withAttention(ModelConfig.Attention.CAUSAL);
        }
        try (NDManager manager = OfflineEngine.pytorch().newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            Mllm model = new Mllm(config);
            model.initialize(manager);
            Checkpoint.save(dir, model, tokenizer, kind, "BENCH", "", 0, null, Map.of(), Map.of());
        }
        Files.delete(tokenizer);
    }
}
