package dev.umarvel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umarvel.cli.Umarvel;
import dev.umarvel.mbeir.Json;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The closed loop's target (issue 8): the distilled single embedder against the cascade it was
 * distilled from, recall and p50 latency measured in one run of {@code umarvel quickstart} (every
 * mode through the services, the same queries). Reuses what an earlier quickstart trained.
 */
final class LoopBench {

    private LoopBench() {}

    static void run(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        String size = a.has("--tiny") ? "tiny" : "small";
        Path store = Path.of(a.text("--store", ".")).toAbsolutePath().normalize();
        Path out = Path.of(System.getProperty("umarvel.bench.out", "target/bench")).toAbsolutePath().resolve("loop-" + size);
        if (Umarvel.run("quickstart", "--size", size, "--store", store.toString(), "--stop", "--out", out.toString()) != 0) {
            throw new IllegalStateException("quickstart failed");
        }
        JsonNode r = Json.MAPPER.readTree(Files.readString(out.resolve("quickstart.json")));
        JsonNode single = mode(r, "single via service, after distillation");
        JsonNode teacher = mode(r, "cascade via service, before distillation");
        JsonNode before = mode(r, "single via service, before distillation");
        Report report = new Report("loop").context("dataset", "M-BEIR-synth " + size + ", test split, " + r.get("steps")
                + " instruction steps; quickstart report " + out.resolve("quickstart.md"));
        report.row("distilled SINGLE, mean local", single.get("mean_local").asDouble(), "%", "global " + single.get("mean_global").asDouble());
        report.row("CASCADE before distillation (the teacher), mean local", teacher.get("mean_local").asDouble(), "%",
                "global " + teacher.get("mean_global").asDouble());
        report.row("SINGLE before distillation, mean local", before.get("mean_local").asDouble(), "%", "");
        report.row("distilled SINGLE - CASCADE, local", single.get("mean_local").asDouble() - teacher.get("mean_local").asDouble(), "points",
                "target >= -0.5");
        report.row("distilled SINGLE p50 / CASCADE p50", single.get("p50_ms").asDouble() / teacher.get("p50_ms").asDouble(), "x",
                String.format("target <= 0.2 (%.1f ms vs %.1f ms)", single.get("p50_ms").asDouble(), teacher.get("p50_ms").asDouble()));
        report.publish(Path.of(System.getProperty("umarvel.bench.out", "target/bench")));
    }

    private static JsonNode mode(JsonNode report, String label) {
        for (JsonNode m : report.get("modes")) {
            if (m.get("label").asText().equals(label)) {
                return m;
            }
        }
        throw new IllegalStateException("no mode " + label);
    }
}
