package dev.umarvel.recipe;

import ai.djl.ndarray.NDManager;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.eval.EmbeddingRetriever;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.Evaluator;
import dev.umarvel.model.Inference;

/**
 * Evaluation of the model being trained on the whole validation split (local pools), reported as an
 * evaluation event at the end of every M-BEIR stage; during the run, {@link LearningCurve} measures a slice of it.
 */
public final class Validation {

    private Validation() {}

    /** Whether a stage validates: M-BEIR stages with validation queries, unless the spec turns it off. */
    public static boolean applies(JobContext ctx, JobSpec spec) {
        if (spec.data().skipValidation() || !(spec.kind() == JobKind.INSTRUCTION || spec.kind() == JobKind.HARD_NEGATIVE
                || spec.kind() == JobKind.DISTILL || spec.kind() == JobKind.CONTINUE_HARD)) {
            return false;
        }
        return !ctx.dataset(spec).tasks(MbeirLayout.VAL).isEmpty();
    }

    public static EvaluationResult run(JobContext ctx, JobSpec spec, StageModel stage, NDManager manager, String label) throws Exception {
        MbeirLayout layout = ctx.dataset(spec);
        Inference inference = new Inference(stage.model(), stage.tokenizer(), manager);
        // a real val split takes minutes (every candidate of every local pool embedded): say what it is doing
        java.util.function.Consumer<String> progress = m -> ctx.listener().log("validation: " + m);
        EmbeddingRetriever retriever = new EmbeddingRetriever(layout, new ModelEncoder(inference, layout), MbeirLayout.VAL, 128,
                Runtime.getRuntime().availableProcessors(), progress);
        EvaluationResult result = Evaluator.evaluate(label, layout, retriever,
                new Evaluator.Options(MbeirLayout.VAL, false, layout.tasks(MbeirLayout.VAL), 42), progress);
        ctx.listener().evaluation(result);
        ctx.listener().log(String.format("validation (%s): mean of %d tasks, local pools: %.1f", label, result.tasks().size(),
                result.meanLocal()));
        return result;
    }
}
