package dev.umarvel.mbeir.eval.baseline;

import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.Evaluator;
import dev.umarvel.mbeir.eval.TaskResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a trained model must beat, on the same queries, pools and metric as its own evaluation: chance,
 * BM25 over the texts, cosine of raw pixels over the images, and the best of these per task.
 */
public final class Baselines {

    public static final String CHANCE = "chance";
    public static final String BM25 = "BM25 (text)";
    public static final String PIXELS = "raw pixels (image)";
    public static final String BEST = "best untrained";

    private Baselines() {}

    /** The four baselines' evaluations, in that order, under the evaluator's {@code options}. */
    public static List<EvaluationResult> evaluate(MbeirLayout layout, Evaluator.Options options, Consumer<String> progress) throws Exception {
        Pools pools = new Pools(layout, options.split());
        List<EvaluationResult> out = new ArrayList<>();
        out.add(Evaluator.evaluate(CHANCE, layout, new ChanceRetriever(pools), options, progress));
        out.add(Evaluator.evaluate(BM25, layout, new Bm25Retriever(pools), options, progress));
        out.add(Evaluator.evaluate(PIXELS, layout, new PixelRetriever(pools), options, progress));
        out.add(best(out.subList(1, out.size())));
        return out;
    }

    /** Per task and pool, the recall of whichever result reports the higher metric there. */
    public static EvaluationResult best(List<EvaluationResult> results) {
        List<TaskResult> tasks = new ArrayList<>();
        EvaluationResult first = results.get(0);
        for (int t = 0; t < first.tasks().size(); t++) {
            TaskResult bestLocal = null;
            TaskResult bestGlobal = null;
            for (EvaluationResult r : results) {
                TaskResult tr = r.tasks().get(t);
                bestLocal = bestLocal == null || tr.reportedLocal() > bestLocal.reportedLocal() ? tr : bestLocal;
                if (tr.global() != null) {
                    bestGlobal = bestGlobal == null || tr.reportedGlobal() > bestGlobal.reportedGlobal() ? tr : bestGlobal;
                }
            }
            Map<Integer, Double> global = bestGlobal == null ? null : new LinkedHashMap<>(bestGlobal.global());
            tasks.add(new TaskResult(bestLocal.task(), bestLocal.queries(), bestLocal.local(), global));
        }
        return new EvaluationResult(BEST, first.split(), tasks);
    }
}
