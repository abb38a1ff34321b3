package dev.umarvel.bench;

import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.EmbedRequest;
import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.ImportPoolProgress;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.api.v1.SearchResponse;
import dev.umarvel.api.v1.StageTiming;
import dev.umarvel.api.v1.UpsertRequest;
import dev.umarvel.api.v1.UpsertResponse;
import dev.umarvel.cli.LocalService;
import dev.umarvel.cli.Upserts;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Search latency through the orchestrator at the size of a user's collection: the packaged embedder and orchestrator
 * started as processes (the {@code small} preset with random weights: latency does not depend on training), N text
 * candidates written (100,000 by default) by ImportPool from a pool file in the store (which merges the index into one
 * segment when done) or, with {@code --via upsert}, through one Upsert stream (whose segments the orchestrator merges
 * in the background after it answers, {@code umarvel.index.compact-after}), then SINGLE searches, top 10, from 4 clients back to back: p50/p99 at the client and the orchestrator's own
 * stage timings; then AUTO searches at margin 0 (which never rerank) against SINGLE's p50. Beside it, in the same run,
 * the embedder alone answering the same queries from 4 clients.
 *
 * <pre>bench search-latency [--candidates 100000] [--via import|upsert] [--seconds 20] [--warm-up 60] [--in-flight 4]
 * [--embedder-max-delay 5ms]</pre>
 */
final class SearchLatencyBench {

    private SearchLatencyBench() {}

    static void run(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        int candidates = a.integer("--candidates", 100_000);
        double seconds = a.decimal("--seconds", 20);
        int inFlight = a.integer("--in-flight", 4);
        boolean viaUpsert = a.text("--via", "").equals("upsert");
        // three JVMs share 2 cores: their JIT compilers were still busy after 5 s of load (bench serving found C2 working
        // for over a minute on a loaded core)
        // the embedder's batching delay: how long a lone query waits for others to share its model call
        String maxDelay = a.text("--embedder-max-delay", "");
        double warmUp = a.decimal("--warm-up", 60);
        Path store = Files.createTempDirectory("umarvel-search-latency");
        ServingBench.writeCheckpoint(store.resolve("embedder"), "embedder");
        Report report = new Report("search-latency").context("model", "small preset, random weights; text candidates of 4-12 words")
                .context("collection", String.format(Locale.ROOT, "%,d candidates, embedded index (defaults: M 32, beam max(80, k)), %s", candidates,
                        viaUpsert ? "one Upsert stream of 1,024 per message" : "ImportPool of a pool file, 1,024 per embedding call"))
                .context("searches", "SINGLE, top 10, no content; " + inFlight + " clients back to back for " + seconds + " s after " + warmUp
                        + " s of warm-up")
                .context("cores", Runtime.getRuntime().availableProcessors() + " (clients and services share them)")
                .context("embedder batching delay", maxDelay.isEmpty() ? "the service's default" : maxDelay);
        Random random = new Random(3);
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            queries.add(ServingBench.sentence(random, 5 + random.nextInt(6)));
        }
        Map<String, String> embedderSettings = new java.util.HashMap<>(Map.of("umarvel.store", store.toString(), "umarvel.checkpoint",
                "embedder"));
        if (!maxDelay.isEmpty()) {
            embedderSettings.put("umarvel.batch.max-delay", maxDelay);
        }
        try (LocalService embedder = LocalService.start("embedder-svc", embedderSettings, store.resolve("embedder.log"));
                LocalService orchestrator = LocalService.start("orchestrator-svc", Map.of("umarvel.store", store.toString(),
                        "umarvel.models.embedder", "localhost:" + embedder.port), store.resolve("orchestrator.log"))) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", orchestrator.port).usePlaintext().build();
            ManagedChannel direct = ManagedChannelBuilder.forAddress("localhost", embedder.port).usePlaintext().build();
            try {
                RetrievalGrpc.RetrievalBlockingStub retrieval = RetrievalGrpc.newBlockingStub(channel);
                retrieval.createCollection(CreateCollectionRequest.newBuilder().setName("latency").build());
                long t = System.nanoTime();
                String how;
                if (viaUpsert) {
                    how = "stages: " + stages(upsert(RetrievalGrpc.newStub(channel), candidates, random).getTimingsList());
                } else {
                    Path pool = store.resolve("pools/latency_pool.jsonl");
                    Files.createDirectories(pool.getParent());
                    try (var out = Files.newBufferedWriter(pool)) {
                        for (int i = 0; i < candidates; i++) {
                            out.write(dev.umarvel.mbeir.Json.MAPPER.createObjectNode().put("did", "100:" + i).put("txt", ServingBench.sentence(
                                    random, 4 + random.nextInt(9))).put("modality", "text").toString() + "\n");
                        }
                    }
                    ImportPoolProgress last = null;
                    for (var it = retrieval.importPool(ImportPoolRequest.newBuilder().setCollection("latency").setPoolPath(
                            "pools/latency_pool.jsonl").setBatchSize(1024).build()); it.hasNext();) {
                        last = it.next();
                    }
                    how = "merged into one segment at the end; " + last.getUpserted() + " upserted";
                }
                double writeSeconds = (System.nanoTime() - t) / 1e9;
                report.row((viaUpsert ? "upsert " : "import ") + candidates + " candidates", candidates / writeSeconds, "candidates/s",
                        String.format(Locale.ROOT, "%.0f s; %s", writeSeconds, how));
                Map<String, List<Long>> serverMicros = new java.util.concurrent.ConcurrentHashMap<>();
                Load.Call search = (client, n) -> {
                    SearchResponse r = retrieval.search(SearchRequest.newBuilder().setCollection("latency").setTopK(10)
                            .setMode(SearchMode.SEARCH_MODE_SINGLE).setQuery(Query.newBuilder().setInstruction("find the caption")
                                    .setContent(Content.newBuilder().setText(queries.get((client * 31 + n) % queries.size())))).build());
                    r.getTimingsList().forEach(st -> serverMicros.computeIfAbsent(st.getStage(), k -> java.util.Collections.synchronizedList(
                            new ArrayList<>())).add(st.getMicros()));
                };
                EmbedderGrpc.EmbedderBlockingStub embed = EmbedderGrpc.newBlockingStub(direct);
                Load.Call embedOnly = (client, n) -> embed.embed(EmbedRequest.newBuilder().addItems(EmbedItem.newBuilder().setQuery(
                        Query.newBuilder().setInstruction("find the caption").setContent(Content.newBuilder().setText(
                                queries.get((client * 31 + n) % queries.size()))))).build());
                // AUTO at margin 0 never reranks (no reranker runs here): what its decision costs over SINGLE, its top 50 recalled
                Load.Call auto = (client, n) -> retrieval.search(SearchRequest.newBuilder().setCollection("latency").setTopK(10)
                        .setMode(SearchMode.SEARCH_MODE_AUTO).setAutoMargin(0).setQuery(Query.newBuilder().setInstruction("find the caption")
                                .setContent(Content.newBuilder().setText(queries.get((client * 31 + n) % queries.size())))).build());
                Load.closed(inFlight, warmUp, search); // warm-up: JIT and the index's first reads
                serverMicros.clear();
                Load.Result searched = Load.closed(inFlight, seconds, search);
                Load.closed(inFlight, 5, auto);
                Load.Result autoSearched = Load.closed(inFlight, seconds, auto);
                Load.closed(inFlight, 5, embedOnly); // the embedder is warm already
                Load.Result embedded = Load.closed(inFlight, seconds, embedOnly);
                report.row("search SINGLE through the orchestrator, p50", searched.p50(), "ms", String.format(Locale.ROOT,
                        "%d in flight, %.0f searches/s; target <= 15 ms", inFlight, searched.callsPerSecond()))
                        .row("search SINGLE through the orchestrator, p99", searched.p99(), "ms", "target <= 50 ms")
                        .row("search AUTO, margin 0 (never reranks), p50", autoSearched.p50(), "ms", String.format(Locale.ROOT,
                                "%.0f searches/s; p99 %.1f ms", autoSearched.callsPerSecond(), autoSearched.p99()))
                        .row("AUTO not reranking / SINGLE, p50", autoSearched.p50() / searched.p50(), "x", "the same run; 1.0: its decision is free")
                        .row("the embedder alone (one query), p50", embedded.p50(), "ms", String.format(Locale.ROOT, "%d in flight, %.0f calls/s",
                                inFlight, embedded.callsPerSecond()))
                        .row("the embedder alone (one query), p99", embedded.p99(), "ms", "")
                        .row("the orchestrator's share of p50", searched.p50() - embedded.p50(), "ms", "gRPC hop, index search, response");
                for (Map.Entry<String, List<Long>> stage : new java.util.TreeMap<>(serverMicros).entrySet()) {
                    long[] micros = stage.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
                    report.row("search, server stage \"" + stage.getKey() + "\", p50", micros[micros.length / 2] / 1000.0, "ms",
                            String.format(Locale.ROOT, "p99 %.2f ms (the orchestrator's own timings)", micros[(int) (micros.length * 0.99)]
                                    / 1000.0));
                }
            } finally {
                channel.shutdownNow();
                direct.shutdownNow();
            }
        }
        System.out.println(report.markdown());
        report.publish(Path.of(System.getProperty("umarvel.bench.out", "target/bench")));
    }

    private static String stages(List<StageTiming> timings) {
        StringBuilder s = new StringBuilder();
        for (StageTiming t : timings) {
            s.append(s.length() == 0 ? "" : ", ").append(t.getStage()).append(String.format(Locale.ROOT, " %.1f s", t.getMicros() / 1e6));
        }
        return s.toString();
    }

    /** One client stream of 1,024 candidates per message (the largest a message may hold). */
    private static UpsertResponse upsert(RetrievalGrpc.RetrievalStub retrieval, int n, Random random) throws Exception {
        List<UpsertRequest> chunks = new ArrayList<>();
        for (int from = 0; from < n; from += 1024) {
            UpsertRequest.Builder chunk = UpsertRequest.newBuilder().setCollection("latency");
            for (int i = from; i < Math.min(n, from + 1024); i++) {
                chunk.addCandidates(Candidate.newBuilder().setDid("c" + i).setContent(Content.newBuilder().setText(
                        ServingBench.sentence(random, 4 + random.nextInt(9)))));
            }
            chunks.add(chunk.build());
        }
        return Upserts.send(retrieval, chunks);
    }
}
