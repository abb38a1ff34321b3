package dev.umarvel.mbeir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.Evaluator;
import dev.umarvel.mbeir.eval.baseline.Baselines;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dataset whose ids and task names no code of ours knows is found, validated, counted and evaluated from its files. */
class OwnDatasetTest {

    @TempDir
    Path dir;

    @Test
    void itsTasksAreFoundFromItsQueryFiles() throws Exception {
        MbeirLayout layout = new MbeirLayout(OwnDataset.write(dir));
        List<EvalTask> tasks = layout.tasks(MbeirLayout.TEST);
        assertEquals(List.of(new EvalTask("glossary", OwnDataset.ID, 1, EvalTask.DEFAULT_K)), tasks);
        assertEquals(OwnDataset.TASK, tasks.get(0).name());
        assertEquals(Modality.TEXT, tasks.get(0).candidateModality());
        assertEquals(List.of(), layout.tasks(MbeirLayout.VAL));
        assertEquals(tasks.get(0), layout.task(MbeirLayout.TEST, OwnDataset.TASK));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> layout.task(MbeirLayout.TEST, "glossary_task2"));
        assertEquals("unknown task 'glossary_task2': " + dir + " has test queries for [glossary_task1]", unknown.getMessage());
    }

    @Test
    void mbeirTasksKeepThePapersOrderAndOwnTasksFollowByName() throws Exception {
        SynthGenerator.generate(dir, SynthSize.TINY, 42, s -> {});
        Path extra = dir.resolve("query/test/mbeir_" + OwnDataset.TASK + "_test.jsonl");
        Files.writeString(extra, OwnDataset.query("42:1", "What does anchor mean?", "42:0") + "\n");
        Files.writeString(dir.resolve("query/test/mbeir_atlas_task4_test.jsonl"), "");
        Files.writeString(dir.resolve("query/test/notes.txt"), "not a task file");
        List<EvalTask> tasks = new MbeirLayout(dir).tasks(MbeirLayout.TEST);
        assertEquals(EvalTask.ALL, tasks.subList(0, 16));
        assertEquals(List.of(OwnDataset.TASK), tasks.subList(16, tasks.size()).stream().map(EvalTask::name).toList(),
                "an empty query file is no task");
        assertEquals(OwnDataset.ID, tasks.get(16).datasetId());
    }

    @Test
    void itValidatesWithoutAValSplitAndSaysSo() throws Exception {
        DatasetValidator.Result r = DatasetValidator.validate(OwnDataset.write(dir));
        assertEquals(List.of(), r.problems());
        assertEquals(1L, r.counts().get("tasks"));
        assertEquals(1, r.notes().size());
        assertTrue(r.notes().get(0).startsWith("no val split (query/val/)"), r.notes().get(0));
        // and an instruction file without its dataset's rows is named precisely
        Files.writeString(dir.resolve("instructions/query_instructions.tsv"), "query_modality\tcand_modality\tdataset_name\tdataset_id\tprompt_1\n");
        assertEquals(List.of(dir.resolve("instructions/query_instructions.tsv") + ": no prompts for glossary_task1 (dataset id 42, text -> text)"),
                DatasetValidator.validate(dir).problems());
    }

    @Test
    void statsListItsOwnTasks() throws Exception {
        String md = DatasetStats.markdown(OwnDataset.write(dir));
        assertTrue(md.contains("| glossary_task1 | -1 | -1 | 10 | 10 |"), md);
        assertTrue(md.contains("| **all 1** | 0 | 0 | 10 | 10 |"), md);
    }

    @Test
    void baselinesEvaluateItWithItsOwnInstructions() throws Exception {
        MbeirLayout layout = new MbeirLayout(OwnDataset.write(dir));
        List<EvaluationResult> r = Baselines.evaluate(layout, Evaluator.Options.all(layout, MbeirLayout.TEST, true), s -> {});
        EvaluationResult bm25 = r.get(1);
        assertEquals(Baselines.BM25, bm25.label());
        assertEquals(OwnDataset.TASK, bm25.tasks().get(0).task().name());
        assertEquals(100.0, bm25.tasks().get(0).reportedLocal(), "the term is in its definition");
        assertEquals(100.0, bm25.tasks().get(0).local().get(1), "and at the top");
        assertEquals(r.get(0).tasks().get(0).reportedLocal(), r.get(2).tasks().get(0).reportedLocal(), "no images: pixels rank by chance");
        String md = dev.umarvel.mbeir.eval.EvaluationReport.markdown(List.of(bm25));
        for (int k : List.of(1, 5, 10)) {
            assertTrue(md.contains("| glossary_task1 | R@" + k + " | 100.0 | 100.0 |"), md);
        }
        assertTrue(md.contains("| **mean** | | **100.0** | **100.0** |"), md);
    }
}
