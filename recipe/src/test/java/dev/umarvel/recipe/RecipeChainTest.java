package dev.umarvel.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.io.Manifest;
import dev.umarvel.model.io.TensorFile;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.recipe.data.HardNegativeFile;
import dev.umarvel.mbeir.TeacherFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every stage of the recipe on tiny data, each starting from the one before, a few steps each. */
class RecipeChainTest {

    @TempDir static Path store;
    static final List<EvaluationResult> evaluations = new ArrayList<>();

    @BeforeAll
    static void data() throws Exception {
        SynthGenerator.generate(store.resolve("data/tiny"), SynthSize.TINY, 11, s -> {});
    }

    static JobContext ctx(String out) {
        return new JobContext(store, store.resolve(out), new JobListener() {
            @Override
            public void progress(Progress p) {
                assertTrue(Double.isFinite(p.loss()), "loss " + p.loss());
            }

            @Override
            public void checkpoint(CheckpointWritten c) {}

            @Override
            public void evaluation(EvaluationResult r) {
                evaluations.add(r);
            }

            @Override
            public void log(String message) {}
        }, () -> false);
    }

    static HyperOverrides steps(long n) {
        return HyperOverrides.none().maxSteps(n).loraRank(8);
    }

    /** The same steps with one-task batches (exercises both sources that label tasks). */
    static Hyper taskBatches(JobKind kind) {
        return Hyper.resolve(kind, "tiny", steps(6).taskBatches(true));
    }

    static String run(JobKind kind, String init, String out, JobSpec spec) throws Exception {
        Path result = Jobs.run(ctx(out), spec);
        assertTrue(Files.exists(result), kind + " wrote " + result);
        return store.relativize(result).toString();
    }

    /**
     * A stage moved every weight it trains and left the others bit-identical: the vision tower's channel statistics always
     * (measured, never trained), tau where the stage keeps it fixed, the vision side where no image reaches it.
     */
    static void moved(String before, String after, Predicate<String> fixed) throws Exception {
        Map<String, TensorFile.Tensor> a = TensorFile.read(store.resolve(before).resolve(Checkpoint.PARAMETERS));
        Map<String, TensorFile.Tensor> b = TensorFile.read(store.resolve(after).resolve(Checkpoint.PARAMETERS));
        assertEquals(a.keySet(), b.keySet(), after);
        for (String name : a.keySet()) {
            boolean same = Arrays.equals(a.get(name).values(), b.get(name).values());
            assertEquals(fixed.test(name), same, after + ": " + name + (same ? " did not move" : " moved"));
        }
    }

    static final Predicate<String> PIXELS = Mllm::isPixelStatistic;
    static final Predicate<String> TAU = name -> name.endsWith("temperature_log_tau");
    static final Predicate<String> VISION_SIDE = name -> name.contains("vision_") || name.contains("projector_");
    /** The exact-match embedding: only reranker pairs carry flags, so only the reranker stage moves it. */
    static final Predicate<String> MATCH = name -> name.endsWith(dev.umarvel.model.nn.LanguageModel.MATCH_EMBEDDING);

    static JobSpec spec(JobKind kind, String init) {
        return JobSpec.of(kind, "data/tiny", init, "tiny", steps(6), 7);
    }

    @Test
    void theWholeRecipeChains() throws Exception {
        String base = run(JobKind.PRETRAIN, "", "jobs/pretrain", spec(JobKind.PRETRAIN, ""));
        Manifest m = Checkpoint.verify(store.resolve(base));
        assertEquals("generative", m.kind());
        assertEquals(null, m.lora());

        String s1 = run(JobKind.TEXT_ALIGN, base, "jobs/s1", spec(JobKind.TEXT_ALIGN, base));
        moved(base, s1, VISION_SIDE.or(TAU).or(MATCH)); // text pairs only, tau fixed
        String s2 = run(JobKind.CROSS_MODAL, s1, "jobs/s2", spec(JobKind.CROSS_MODAL, s1));
        moved(s1, s2, PIXELS.or(TAU).or(MATCH));
        String s3 = run(JobKind.INSTRUCTION, s2, "jobs/s3", spec(JobKind.INSTRUCTION, s2));
        moved(s2, s3, PIXELS.or(MATCH));
        assertEquals(s2, Checkpoint.verify(store.resolve(s3)).parent());
        assertEquals(null, Checkpoint.verify(store.resolve(s3)).lora(), "LoRA merged between stages");

        JobSpec mine = spec(JobKind.MINE_HARD_NEGATIVES, s3);
        mine = new JobSpec(mine.kind(), mine.data(), mine.initCheckpoint(), mine.preset(), false, "", mine.hyper(), mine.model(),
                new JobSpec.Mining(20, 3, 0.99, false, JobSpec.Mining.POSITIVE_FRACTION, 0), mine.evaluation(), mine.distill(), mine.seed());
        String mined = run(JobKind.MINE_HARD_NEGATIVES, s3, "jobs/mine", mine);
        Map<String, HardNegativeFile.Entry> entries = HardNegativeFile.read(store.resolve(mined));
        assertEquals(16 * SynthSize.TINY.train, entries.size());
        HardNegativeFile.Entry e = entries.values().iterator().next();
        assertEquals(20, e.topDocs().size());
        assertTrue(e.hardNegatives().size() <= 3 && e.hardNegatives().stream().noneMatch(e.gtDocs()::contains));

        JobSpec hn = spec(JobKind.HARD_NEGATIVE, s3);
        hn = new JobSpec(hn.kind(), new JobSpec.Data("data/tiny", "", "", "", "", mined, "", false, "", Map.of()), s3, "tiny", false, "",
                taskBatches(JobKind.HARD_NEGATIVE), hn.model(), hn.mining(), hn.evaluation(), hn.distill(), hn.seed());
        String s4 = run(JobKind.HARD_NEGATIVE, s3, "jobs/s4", hn);
        moved(s3, s4, PIXELS.or(MATCH));

        JobSpec rr = spec(JobKind.RERANKER, base);
        rr = new JobSpec(rr.kind(), new JobSpec.Data("data/tiny", "", "", "", "", mined, "", false, "", Map.of()), base, "tiny", true, "",
                rr.hyper(), rr.model(), rr.mining(), rr.evaluation(), rr.distill(), rr.seed());
        String reranker = run(JobKind.RERANKER, base, "jobs/reranker", rr);
        assertEquals("reranker", Checkpoint.verify(store.resolve(reranker)).kind());
        moved(base, reranker, PIXELS.or(TAU)); // no contrast, no temperature

        JobSpec.Distill d = JobSpec.Distill.of(8, reranker, 0.1);
        JobSpec distill = spec(JobKind.DISTILL, s4);
        distill = new JobSpec(distill.kind(), distill.data(), s4, "tiny", false, "", distill.hyper(), distill.model(),
                distill.mining(), distill.evaluation(), d, distill.seed());
        String distilled = run(JobKind.DISTILL, s4, "jobs/distill", distill);
        moved(s4, distilled, PIXELS.or(MATCH));
        List<TeacherFile.Entry> teacher = TeacherFile.read(store.resolve("jobs/distill/teacher_scores.jsonl"));
        assertEquals(16 * Math.max(1, Math.round(0.1 * SynthSize.TINY.train)), teacher.size(), "stratified 10 % of each task");
        TeacherFile.Scored first = teacher.get(0).candidates().get(0);
        double w = d.weight(teacher.get(0).task());
        assertEquals(TeacherFile.DEFAULT_WEIGHT, w);
        assertEquals(first.recall() + w * first.rerank(), first.teacher(), 1e-6, "the score the cascade ranks by");

        JobSpec control = spec(JobKind.CONTINUE_HARD, s4);
        control = new JobSpec(control.kind(), new JobSpec.Data("data/tiny", "", "", "", "", "", "jobs/distill/teacher_scores.jsonl",
                false, "", Map.of()), s4, "tiny", false, "", taskBatches(JobKind.CONTINUE_HARD), control.model(), control.mining(), control.evaluation(), d,
                control.seed());
        moved(s4, run(JobKind.CONTINUE_HARD, s4, "jobs/control", control), PIXELS.or(MATCH));

        JobSpec eval = spec(JobKind.EVALUATE, distilled);
        eval = new JobSpec(eval.kind(), eval.data(), distilled, "tiny", false, "", eval.hyper(), eval.model(), eval.mining(),
                new JobSpec.Evaluation("test", true, List.of(), "", 3, new JobSpec.Cascade(reranker, JobSpec.Cascade.FUSION_WEIGHT,
                        JobSpec.Cascade.RECALL_K, List.of(0.1, 0.0, Double.POSITIVE_INFINITY))), eval.distill(),
                eval.seed());
        String report = run(JobKind.EVALUATE, distilled, "jobs/eval", eval);
        assertTrue(Files.exists(store.resolve(report).resolve("evaluation.png")));
        List<EvaluationResult> reports = evaluations.stream().filter(r -> List.of("single", "cascade").contains(r.label())).toList();
        assertEquals(2, reports.size(), "single and cascade");
        assertEquals(16, reports.get(1).tasks().size());
        for (EvaluationResult r : reports) { // the first 3 queries of each task, as asked
            assertEquals(List.of(3), r.tasks().stream().map(t -> t.queries()).distinct().toList(), r.label());
        }
        assertTrue(reports.get(1).meanGlobal() != null);
        // the sweep ranks the same reranker scores again: at the cascade's own weight it is the cascade, at 0 the retriever
        Map<String, EvaluationResult> byLabel = new java.util.HashMap<>();
        evaluations.forEach(r -> byLabel.put(r.label(), r));
        assertEquals(recalls(byLabel.get("cascade")), recalls(byLabel.get("cascade w=0.1")));
        assertEquals(recalls(byLabel.get("single")), recalls(byLabel.get("cascade w=0")));
        assertEquals(16, byLabel.get("reranker order").tasks().size());
        // every M-BEIR stage validated its model at the end, on the val split's local pools
        for (String stage : List.of("INSTRUCTION", "HARD_NEGATIVE", "DISTILL", "CONTINUE_HARD")) {
            assertTrue(evaluations.stream().anyMatch(r -> r.label().equals("end of " + stage) && r.split().equals("val")
                    && r.meanGlobal() == null), stage);
        }
    }

    /** Every task's local and global recall at every k, as one comparable list. */
    private static List<Object> recalls(EvaluationResult r) {
        return r.tasks().stream().<Object>map(t -> List.of(t.task().name(), t.local(), String.valueOf(t.global()))).toList();
    }
}
