package dev.umarvel.mbeir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.mbeir.eval.EmbeddingRetriever;
import dev.umarvel.mbeir.eval.Encoder;
import dev.umarvel.mbeir.eval.EvaluationReport;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.Evaluator;
import dev.umarvel.mbeir.eval.QueryInput;
import dev.umarvel.mbeir.eval.Retriever;
import dev.umarvel.mbeir.eval.TaskResult;
import dev.umarvel.mbeir.MbeirCandidate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hand-written mini M-BEIR (test resources) whose recall values are known by hand. */
class MiniMbeirTest {

    private static final Path ROOT = Path.of("src/test/resources/mini-mbeir");

    /** The rankings the hand computation assumes, best first. */
    private static final Map<String, List<String>> RANKED = Map.of(
            "9:1", List.of("9:12", "9:11", "9:13", "9:14", "9:15", "9:16"),                   // first hit at 2
            "9:2", List.of("9:12", "9:11", "9:13", "9:14", "9:15", "9:16"),                   // hit at 1
            "9:3", List.of("9:15", "9:16", "9:11", "9:12", "9:14", "9:13"),                   // first hit at 5
            "2:1", List.of("2:23", "2:24", "2:22", "2:21", "2:25", "2:26", "2:27", "2:28"),   // hit at 4
            "2:2", List.of("2:21", "2:23", "2:24", "2:25", "2:26", "2:22", "2:27", "2:28"));  // hit at 6

    private static void assertRecall(TaskResult r, double at1, double at5, double at10, Map<Integer, Double> recall) {
        assertEquals(at1, recall.get(1), 1e-9, r.task().name() + " R@1");
        assertEquals(at5, recall.get(5), 1e-9, r.task().name() + " R@5");
        assertEquals(at10, recall.get(10), 1e-9, r.task().name() + " R@10");
    }

    @Test
    void recallOfAnyRetrievalFunction() throws Exception {
        MbeirLayout layout = new MbeirLayout(ROOT);
        assertEquals(List.of("mscoco_task0", "webqa_task1"), layout.tasks("test").stream().map(EvalTask::name).toList());
        Retriever fixed = (task, queries, scope, k) -> queries.stream().map(q -> RANKED.get(q.query().qid())).toList();
        EvaluationResult result = Evaluator.evaluate("fixed", layout, fixed, Evaluator.Options.all(layout, "test", false), s -> {});
        TaskResult coco = result.tasks().get(0);
        TaskResult webqa = result.tasks().get(1);
        assertRecall(coco, 100.0 / 3, 100, 100, coco.local());
        assertRecall(webqa, 0, 50, 100, webqa.local());
        assertEquals((100 + 50) / 2.0, result.meanLocal(), 1e-9, "mean of the reported R@5");
        assertEquals(null, result.meanGlobal());
    }

    @Test
    void recallThroughEmbeddingsAndExactSearchInLocalAndGlobalPools(@TempDir Path out) throws Exception {
        MbeirLayout layout = new MbeirLayout(ROOT);
        // One dimension per candidate; a query's vector holds the score it should give each candidate.
        List<String> dims = new ArrayList<>();
        for (int i = 11; i <= 16; i++) {
            dims.add("9:" + i);
        }
        for (int i = 21; i <= 28; i++) {
            dims.add("2:" + i);
        }
        List<String> instructions = new ArrayList<>();
        Encoder encoder = new Encoder() {
            @Override
            public float[][] queries(List<QueryInput> batch) {
                float[][] out = new float[batch.size()][dims.size()];
                for (int i = 0; i < batch.size(); i++) {
                    instructions.add(batch.get(i).instruction());
                    List<String> ranked = RANKED.get(batch.get(i).query().qid());
                    for (int r = 0; r < ranked.size(); r++) {
                        out[i][dims.indexOf(ranked.get(r))] = 1f - r * 0.1f;
                    }
                }
                return out;
            }

            @Override
            public float[][] candidates(List<MbeirCandidate> batch) {
                float[][] out = new float[batch.size()][dims.size()];
                for (int i = 0; i < batch.size(); i++) {
                    out[i][dims.indexOf(batch.get(i).did())] = 1f;
                }
                return out;
            }
        };
        EvaluationResult result = Evaluator.evaluate("embedded", layout,
                new EmbeddingRetriever(layout, encoder, "test", 2, 2, s -> {}), Evaluator.Options.all(layout, "test", true), s -> {});
        for (TaskResult r : result.tasks()) {
            assertEquals(r.local(), r.global(), "the global pool adds only zero-score candidates here");
        }
        assertRecall(result.tasks().get(0), 100.0 / 3, 100, 100, result.tasks().get(0).local());
        assertRecall(result.tasks().get(1), 0, 50, 100, result.tasks().get(1).local());
        assertEquals(75.0, result.meanGlobal(), 1e-9);
        // instructions come from the TSV, normalised as M-BEIR does
        assertTrue(instructions.stream().allMatch(s -> s.endsWith(".") || s.endsWith("!")), instructions.toString());
        assertTrue(instructions.contains("Retrieve passages from Wikipedia that answer the question."));

        EvaluationReport.write(List.of(result), out, "report");
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| mscoco_task0 | R@5 | 100.0 | 100.0 |"), md);
        assertTrue(md.contains("| **mean** | | **75.0** | **75.0** |"), md);
        assertTrue(Files.size(out.resolve("report.png")) > 1000);
        assertTrue(Files.readString(out.resolve("report.json")).contains("\"R@10\" : 100.0"));
    }
}
