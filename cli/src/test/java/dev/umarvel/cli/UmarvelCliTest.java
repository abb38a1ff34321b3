package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.umarvel.mbeir.Json;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.OfflineEngine;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.text.TextTokenizer;
import dev.umarvel.model.text.VocabularyBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UmarvelCliTest {

    @TempDir Path dir;

    private static String captureOut(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString();
    }

    @Test
    void dataCommandsGenerateValidateAndCount() {
        Path data = dir.resolve("tiny");
        assertEquals(0, Umarvel.run("data", "synth", "--size", "tiny", "--seed", "3", "--out", data.toString()));
        String validation = captureOut(() -> assertEquals(0, Umarvel.run("data", "validate", data.toString())));
        assertTrue(validation.contains("valid"), validation);
        String stats = captureOut(() -> assertEquals(0, Umarvel.run("data", "stats", data.toString())));
        assertTrue(stats.contains("| **all 16** | 384 | 128 | 256 |"), stats);
    }

    @Test
    void aMissingFileIsNamedAsMissing() {
        assertEquals("no such file: /nowhere/x.jsonl", Umarvel.message(new java.nio.file.NoSuchFileException("/nowhere/x.jsonl")));
        assertEquals("permission denied: /root/x", Umarvel.message(new java.nio.file.AccessDeniedException("/root/x")));
        assertEquals("top_k: bad", Umarvel.message(new IllegalArgumentException("top_k: bad")));
    }

    @Test
    void usageErrorsAndFailuresHaveDistinctExitCodes() throws Exception {
        assertEquals(2, Umarvel.run("data", "synth", "--size", "tiny"), "missing --out is a usage error");
        assertEquals(1, Umarvel.run("data", "synth", "--size", "huge", "--out", dir.resolve("x").toString()));
        Files.createDirectories(dir.resolve("empty"));
        assertEquals(1, Umarvel.run("data", "validate", dir.resolve("empty").toString()));
        assertEquals(1, Umarvel.run("data", "import", "imagenet", "--out", dir.resolve("y").toString()));
    }

    @Test
    void evalWritesAReportForACheckpoint() throws Exception {
        Path data = dir.resolve("tiny");
        assertEquals(0, Umarvel.run("data", "synth", "--size", "tiny", "--seed", "5", "--out", data.toString()));
        Path checkpoint = freshCheckpoint(data);
        Path reports = dir.resolve("reports");
        String out = captureOut(() -> assertEquals(0, Umarvel.run("eval", "--data", data.toString(), "--checkpoint",
                checkpoint.toString(), "--out", reports.toString(), "--label", "untrained")));
        assertTrue(out.contains("| **mean** |"), out);
        JsonNode report = Json.MAPPER.readTree(reports.resolve("eval.json").toFile()).get("evaluations").get(0);
        assertEquals(16, report.get("tasks").size());
        double mean = report.get("mean_local").asDouble();
        assertTrue(mean >= 0 && mean <= 100, "mean " + mean);
        assertTrue(report.get("tasks").get(0).has("global_recall_at"));
        assertTrue(Files.size(reports.resolve("eval.png")) > 1000);
    }

    @Test
    void trainRunsJobsInProcessAndRefusesBadFlags() throws Exception {
        Path store = dir.resolve("store");
        assertEquals(0, Umarvel.run("data", "synth", "--size", "tiny", "--seed", "2", "--out", store.resolve("data").toString()));
        assertEquals(0, Umarvel.run("train", "pretrain", "--store", store.toString(), "--data", "data", "--out", "jobs/base",
                "--preset", "tiny", "--max-steps", "2"));
        assertEquals(0, Umarvel.run("train", "instruction", "--store", store.toString(), "--data", "data", "--init", "jobs/base/final",
                "--out", "jobs/s3", "--preset", "tiny", "--max-steps", "2", "--lora-rank", "4"));
        assertTrue(Files.exists(store.resolve("jobs/s3/final/manifest.json")));
        assertEquals(1, Umarvel.run("train", "instruction", "--store", store.toString(), "--data", "data", "--out", "jobs/x",
                "--preset", "tiny"), "no --init");
        assertEquals(1, Umarvel.run("train", "instruction", "--store", store.toString(), "--data", "data", "--init", "jobs/base/final",
                "--out", "jobs/x", "--lr", "5"), "learning rate out of range");
        assertEquals(1, Umarvel.run("train", "juggle", "--store", store.toString(), "--data", "data", "--out", "jobs/x"));
    }

    /** An option naming one of a set says which, whatever its case, and a value outside it is refused listing the set. */
    @Test
    void enumOptionsNameTheirChoices() {
        assertEquals(dev.umarvel.recipe.Hyper.RerankerLoss.VOCABULARY,
                TrainCommand.choice("--reranker-loss", "Vocabulary", dev.umarvel.recipe.Hyper.RerankerLoss.class));
        assertEquals(null, TrainCommand.choice("--reranker-loss", null, dev.umarvel.recipe.Hyper.RerankerLoss.class));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TrainCommand.choice("--reranker-loss", "pairwise", dev.umarvel.recipe.Hyper.RerankerLoss.class));
        assertEquals("--reranker-loss: expected one of [vocabulary, answers, listwise], got 'pairwise'", e.getMessage());
    }

    /**
     * The command line runs on the user's own files: --data and --init may be absolute paths outside the store or links
     * out of it (a service refuses both: TrainerServiceTest), and the job writes where --out says.
     */
    @Test
    void trainReadsDataOutsideTheStoreByAbsolutePathOrLink() throws Exception {
        Path store = dir.resolve("store-elsewhere");
        Path data = dir.resolve("datasets/tiny");
        assertEquals(0, Umarvel.run("data", "synth", "--size", "tiny", "--seed", "3", "--out", data.toString()));
        Files.createDirectories(store);
        assertEquals(0, Umarvel.run("train", "pretrain", "--store", store.toString(), "--data", data.toString(), "--out", "jobs/base",
                "--preset", "tiny", "--max-steps", "1"));
        Files.createSymbolicLink(store.resolve("linked"), data);
        Path elsewhere = dir.resolve("checkpoints/s3");
        assertEquals(0, Umarvel.run("train", "instruction", "--store", store.toString(), "--data", "linked",
                "--init", store.resolve("jobs/base/final").toString(), "--out", elsewhere.toString(), "--preset", "tiny", "--max-steps", "1"));
        assertTrue(Files.exists(store.resolve("jobs/base/final/manifest.json")));
        assertTrue(Files.exists(elsewhere.resolve("final/manifest.json")));
    }

    /** An untrained tiny embedder whose vocabulary covers the dataset's texts. */
    private Path freshCheckpoint(Path data) throws Exception {
        VocabularyBuilder vocab = new VocabularyBuilder();
        MbeirLayout layout = new MbeirLayout(data);
        try (Stream<dev.umarvel.mbeir.MbeirCandidate> pool = Jsonl.candidates(layout.unionPool("test"))) {
            pool.forEach(c -> vocab.add(c.txt() == null ? "" : c.txt()));
        }
        try (Stream<dev.umarvel.mbeir.MbeirQuery> qs = Jsonl.queries(layout.unionTrainQueries())) {
            qs.forEach(q -> vocab.add(q.queryTxt() == null ? "" : q.queryTxt()));
        }
        Path tokenizerFile = dir.resolve("tokenizer.json");
        VocabularyBuilder.write(vocab.vocabulary(5000, 1), tokenizerFile);
        Path checkpoint = dir.resolve("ckpt");
        try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerFile); NDManager manager = OfflineEngine.pytorch().newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            Mllm model = new Mllm(ModelConfig.tiny().withVocabSize(tokenizer.vocabSize()));
            model.initialize(manager);
            Checkpoint.save(checkpoint, model, tokenizerFile, "embedder", "INIT", "", 0, null, Map.of(), Map.of());
        }
        return checkpoint;
    }
}
