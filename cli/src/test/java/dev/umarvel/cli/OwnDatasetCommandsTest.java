package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umarvel.mbeir.Json;
import dev.umarvel.mbeir.OwnDataset;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset with ids and task names no code of ours knows, written by hand in the M-BEIR layout, goes through
 * validate, stats, train (pairs for the early stages derived from its training queries) and eval with no file renamed.
 */
class OwnDatasetCommandsTest {

    @TempDir
    Path dir;

    /** Standard output and error of one command, and its exit code. */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Umarvel.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void validateStatsTrainAndEvaluateADatasetOfOnesOwn() throws Exception {
        Path data = OwnDataset.write(dir.resolve("glossary"));
        Path store = dir.resolve("store");

        Run validate = run("data", "validate", data.toString());
        assertEquals(0, validate.code(), validate.out());
        assertTrue(validate.out().contains("note: no val split (query/val/)"), validate.out());
        Run stats = run("data", "stats", data.toString());
        assertTrue(stats.out().contains("| glossary_task1 | -1 | -1 | 10 | 10 |"), stats.out());

        List<String> train = new ArrayList<>(List.of("train", "--store", store.toString(), "--data", data.toString(), "--preset", "tiny",
                "--max-steps", "2"));
        Run pretrain = run(concat(train, "pretrain", "--out", "jobs/base"));
        assertEquals(0, pretrain.code(), pretrain.err());
        Run textAlign = run(concat(train, "text-align", "--init", "jobs/base/final", "--out", "jobs/text"));
        assertEquals(0, textAlign.code(), textAlign.err());
        assertTrue(textAlign.out().contains("derived 10 text pairs from the text -> text training queries (the dataset has no "
                + data.resolve("pairs/text_pairs.jsonl") + ")"), textAlign.out());
        assertTrue(java.nio.file.Files.size(store.resolve("jobs/text/losses.png")) > 1000, "the job's learning curve is drawn");
        assertTrue(textAlign.out().contains("learning curve: jobs/text/curve.json (curve.jsonl, losses.png, curves.png beside it)"),
                textAlign.out());
        List<String> history = java.nio.file.Files.readAllLines(store.resolve("jobs/text/curve.jsonl"));
        assertEquals(dev.umarvel.recipe.LearningCurve.read(store.resolve("jobs/text/curve.json")).size(), history.size());
        assertTrue(history.get(history.size() - 1).startsWith("{\"step\":2,\"loss\":"), history.toString());
        Run crossModal = run(concat(train, "cross-modal", "--init", "jobs/text/final", "--out", "jobs/cross"));
        assertEquals(1, crossModal.code(), crossModal.out());
        assertEquals("umarvel: data.pairs: no " + data.resolve("pairs/caption_image_pairs.jsonl") + ", and no caption-image pairs from the "
                + "text -> image and image -> text training queries of 10 in the training file to derive them from\n", crossModal.err());

        Path reports = dir.resolve("reports");
        Run eval = run("eval", "--data", data.toString(), "--checkpoint", store.resolve("jobs/text/final").toString(), "--out",
                reports.toString(), "--label", "text-align");
        assertEquals(0, eval.code(), eval.err());
        JsonNode report = Json.MAPPER.readTree(reports.resolve("eval.json").toFile());
        List<String> tasks = new ArrayList<>();
        report.get("evaluations").get(0).get("tasks").forEach(t -> tasks.add(t.get("task").asText()));
        assertEquals(List.of("glossary_task1"), tasks);
        assertTrue(eval.out().contains("glossary_task1"), eval.out());
    }

    private static String[] concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(1, List.of(tail).subList(0, 1)); // the job kind right after "train"
        all.addAll(List.of(tail).subList(1, tail.length));
        return all.toArray(String[]::new);
    }
}
