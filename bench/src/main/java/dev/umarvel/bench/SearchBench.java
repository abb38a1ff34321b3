package dev.umarvel.bench;

import dev.umarvel.cli.LocalService;

import dev.umarvel.cli.Umarvel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Search through the whole service chain, in one run: the packaged embedder, reranker and
 * orchestrator started as processes on trained checkpoints, a collection of M-BEIR-synth small's
 * test local pools, then {@code umarvel eval --via} in SINGLE, CASCADE and AUTO mode: recall per
 * mode and client-side p50/p99. Run from the repository root after {@code umarvel findings} (its
 * checkpoints are the defaults) and {@code ./mvnw install -DskipTests}.
 */
final class SearchBench {

    private SearchBench() {}

    static void run(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        String embedder = a.text("--embedder", "reports/findings/s3-seed1/final");
        String reranker = a.text("--reranker", "reports/findings/f6-reranker-seed1/final");
        String data = a.text("--data", "data/synth-small");
        String perTask = a.text("--queries-per-task", "25");
        String margin = a.text("--auto-margin", "0.02");
        Path store = Path.of(a.text("--store", ".")).toAbsolutePath().normalize();
        Path out = Path.of(System.getProperty("umarvel.bench.out", "target/bench")).toAbsolutePath();
        Files.createDirectories(out);
        Map<String, String> threads = Map.of("ai.djl.pytorch.num_threads", "1"); // two model services share the cores
        try (LocalService emb = LocalService.start("embedder-svc", with(threads, "umarvel.store", store.toString(), "umarvel.checkpoint",
                embedder), out.resolve("search-embedder.log"));
                LocalService rer = LocalService.start("reranker-svc", with(threads, "umarvel.store", store.toString(),
                        "umarvel.checkpoint", reranker), out.resolve("search-reranker.log"));
                LocalService orch = LocalService.start("orchestrator-svc", Map.of("umarvel.store", store.toString(),
                        "umarvel.models.embedder", "localhost:" + emb.port, "umarvel.models.reranker",
                        "localhost:" + rer.port, "umarvel.search.auto-margin", margin, "umarvel.search.rerank-timeout", "30s"),
                        out.resolve("search-orchestrator.log"))) {
            long start = System.nanoTime();
            int code = Umarvel.run("eval", "--via", "localhost:" + orch.port, "--store", store.toString(), "--data", data, "--setup",
                    "--collection", "bench_" + Integer.toHexString(embedder.hashCode()), "--queries-per-task", perTask, "--concurrency",
                    "4", "--out", out.resolve("search").toString());
            if (code != 0) {
                throw new IllegalStateException("eval --via failed with " + code);
            }
            System.out.printf("search bench: %.0f s including the collection set-up; report %s%n", (System.nanoTime() - start) / 1e9,
                    out.resolve("search/eval-via.md"));
        }
    }

    private static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new java.util.HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
