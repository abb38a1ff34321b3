package dev.umarvel.bench;

import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import dev.umarvel.recipe.Hyper;
import dev.umarvel.recipe.HyperOverrides;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobKind;
import dev.umarvel.recipe.JobListener;
import dev.umarvel.recipe.JobSpec;
import dev.umarvel.recipe.Jobs;
import dev.umarvel.recipe.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Training throughput of every stage of the recipe (examples per second of the training loop), and
 * where the loop's time goes: the model (forward and backward), the optimizer, waiting for data
 * (prepared one step ahead on a helper thread), checkpoints. The baseline of each stage is its own
 * model time, so the "model share" is the ratio to report.
 */
final class RecipeBench {

    private RecipeBench() {}

    static void run(String[] args) throws Exception {
        boolean small = new BenchArgs(args).has("--small");
        SynthSize size = small ? SynthSize.SMALL : SynthSize.TINY;
        long steps = small ? 8 : 20;
        Path store = Files.createTempDirectory("umarvel-recipe-bench");
        long g0 = System.nanoTime();
        SynthGenerator.generate(store.resolve("data"), size, 42, s -> {});
        double generation = (System.nanoTime() - g0) / 1e9;
        String preset = size.label();
        Report report = new Report("recipe-" + preset).context("data", "M-BEIR-synth " + preset + " (generated in "
                        + String.format("%.0f", generation) + " s)")
                .context("steps", steps + " per stage, preset " + preset + ", batch " + Hyper.presetBatch(preset) + " (pairs or queries)")
                .context("threads", Runtime.getRuntime().availableProcessors() + " cores");
        String base = stage(report, store, JobKind.PRETRAIN, "", "base", steps, preset, s -> s);
        String s1 = stage(report, store, JobKind.TEXT_ALIGN, base, "s1", steps, preset, s -> s);
        String s2 = stage(report, store, JobKind.CROSS_MODAL, s1, "s2", steps, preset, s -> s);
        String s3 = stage(report, store, JobKind.INSTRUCTION, s2, "s3", steps, preset, s -> s);
        long m0 = System.nanoTime();
        Jobs.run(ctx(store, "mine", new AtomicReference<>()), JobSpec.of(JobKind.MINE_HARD_NEGATIVES, "data", s3, preset,
                HyperOverrides.none(), 1));
        report.row("MINE_HARD_NEGATIVES: wall time", (System.nanoTime() - m0) / 1e9, "s", "embed all training queries and the pool, top 100");
        String mined = "jobs/mine/hard_negatives.jsonl";
        String s4 = stage(report, store, JobKind.HARD_NEGATIVE, s3, "s4", steps, preset, s -> withData(s, mined, ""));
        String reranker = stage(report, store, JobKind.RERANKER, base, "reranker", steps, preset, s -> withData(s, mined, ""));
        stage(report, store, JobKind.DISTILL, s4, "distill", steps, preset, s -> withDistill(s, reranker));
        report.publish(Path.of(System.getProperty("umarvel.bench.out", "target/bench")));
    }

    private static JobContext ctx(Path store, String name, AtomicReference<TrainingRun.Timings> timings) {
        return new JobContext(store, store.resolve("jobs/" + name), new JobListener() {
            @Override
            public void progress(Progress p) {}

            @Override
            public void checkpoint(CheckpointWritten c) {}

            @Override
            public void evaluation(EvaluationResult r) {}

            @Override
            public void log(String message) {}

            @Override
            public void finished(TrainingRun.Timings t) {
                timings.set(t);
            }
        }, () -> false);
    }

    private static String stage(Report report, Path store, JobKind kind, String init, String name, long steps, String preset,
            java.util.function.UnaryOperator<JobSpec> customise) throws Exception {
        HyperOverrides o = HyperOverrides.none().maxSteps(steps).checkpointEvery(1_000_000L);
        JobSpec spec = customise.apply(JobSpec.of(kind, "data", init, preset, o, 42));
        AtomicReference<TrainingRun.Timings> timings = new AtomicReference<>();
        long t0 = System.nanoTime();
        Jobs.run(ctx(store, name, timings), spec);
        double wall = (System.nanoTime() - t0) / 1e9;
        TrainingRun.Timings t = timings.get();
        double loop = t.total();
        int batch = spec.hyper().batchSize();
        report.row(kind + ": examples/s", steps * batch / loop, "ex/s", String.format("%.2f s/step; job wall time %.1f s (setup %.1f s)",
                loop / steps, wall, wall - loop));
        report.row(kind + ": share in the model", t.model() / loop, "ratio", String.format(
                "optimizer %.0f%%, waiting for data %.0f%%, data prepared beside the model %.1f s", 100 * t.optimizer() / loop,
                100 * t.waitingForData() / loop, t.preparingData()));
        return "jobs/" + name + "/final";
    }

    private static JobSpec withData(JobSpec s, String hardNegatives, String teacher) {
        return new JobSpec(s.kind(), new JobSpec.Data("data", "", "", "", "", hardNegatives, teacher, false, "", java.util.Map.of()), s.initCheckpoint(),
                s.preset(), s.kind() == JobKind.RERANKER, s.outputDir(), s.hyper(), s.model(), s.mining(), s.evaluation(), s.distill(), s.seed());
    }

    private static JobSpec withDistill(JobSpec s, String reranker) {
        return new JobSpec(s.kind(), s.data(), s.initCheckpoint(), s.preset(), false, s.outputDir(), s.hyper(), s.model(), s.mining(),
                s.evaluation(), JobSpec.Distill.of(16, reranker, 0.02), s.seed());
    }
}
