package dev.umarvel.recipe.jobs;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.eval.EmbeddingRetriever;
import dev.umarvel.mbeir.eval.EvaluationReport;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.Evaluator;
import dev.umarvel.model.Inference;
import dev.umarvel.recipe.CascadeRetriever;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobSpec;
import dev.umarvel.recipe.ModelEncoder;
import dev.umarvel.recipe.data.ImageLoader;
import dev.umarvel.mbeir.eval.Retriever;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** EVALUATE: M-BEIR recall of a checkpoint (and optionally of the cascade with a reranker), written as a report. */
public final class EvaluateJob {

    private EvaluateJob() {}

    public static Path run(JobContext ctx, JobSpec spec) throws Exception {
        JobSpec.Evaluation e = spec.evaluation();
        MbeirLayout layout = Sources.layout(ctx, spec);
        List<EvalTask> tasks;
        try {
            tasks = layout.tasks(e.split(), e.tasks());
        } catch (IllegalArgumentException x) {
            throw new dev.umarvel.recipe.InvalidSpecException("evaluation.tasks: " + x.getMessage());
        }
        if (tasks.isEmpty()) {
            throw new dev.umarvel.recipe.InvalidSpecException("data.dataset_dir: no " + e.split() + " queries for any task (query/"
                    + e.split() + "/mbeir_<dataset>_task<N>_" + e.split() + ".jsonl)");
        }
        Evaluator.Options options = new Evaluator.Options(e.split(), e.globalPool(), tasks, 42, e.queriesPerTask());
        Path dir = e.reportDir().isEmpty() ? ctx.output().resolve("report") : ctx.resolve("evaluation.report_dir", e.reportDir());
        List<EvaluationResult> results = new ArrayList<>();
        try (Inference model = Inference.load(ctx.resolve("init_checkpoint", spec.initCheckpoint()))) {
            EmbeddingRetriever retriever = new EmbeddingRetriever(layout, new ModelEncoder(model, layout), e.split(), 128,
                    Runtime.getRuntime().availableProcessors(), ctx.listener()::log);
            results.add(evaluate(ctx, "single", layout, retriever, options));
            JobSpec.Cascade c = e.cascade();
            if (c.enabled()) {
                try (Inference reranker = Inference.load(ctx.resolve("evaluation.reranker_checkpoint", c.rerankerCheckpoint()))) {
                    CascadeRetriever cascade = new CascadeRetriever(retriever, reranker,
                            new ImageLoader(layout.root(), reranker.config().imageSize()), c.recallK(), c.fusionWeight());
                    results.add(evaluate(ctx, "cascade", layout, cascade, options));
                    for (double w : c.fusionSweep()) {
                        results.add(evaluate(ctx, sweepName(w), layout, cascade.withWeight(w), options));
                    }
                }
            }
        }
        EvaluationReport.write(results, dir, "evaluation");
        ctx.listener().log("report written to " + ctx.relative(dir));
        return dir;
    }

    private static EvaluationResult evaluate(JobContext ctx, String name, MbeirLayout layout, Retriever retriever,
            Evaluator.Options options) throws Exception {
        EvaluationResult result = Evaluator.evaluate(name, layout, retriever, options, ctx.listener()::log);
        ctx.listener().evaluation(result);
        return result;
    }

    /** A sweep's report entry: "cascade w=0.3", or "reranker order" for an infinite weight. */
    static String sweepName(double w) {
        return Double.isInfinite(w) ? "reranker order" : "cascade w=" + BigDecimal.valueOf(w).stripTrailingZeros().toPlainString();
    }
}
