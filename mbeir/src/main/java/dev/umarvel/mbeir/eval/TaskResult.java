package dev.umarvel.mbeir.eval;

import dev.umarvel.mbeir.EvalTask;
import java.util.Map;

/**
 * Recall of one task, in percent, by k.
 *
 * @param global null when the global pool was not evaluated
 */
public record TaskResult(EvalTask task, int queries, Map<Integer, Double> local, Map<Integer, Double> global) {

    /** The task's reported metric in the local pool (R@5, or R@10 for the fashion tasks). */
    public double reportedLocal() {
        return local.get(task.k());
    }

    public Double reportedGlobal() {
        return global == null ? null : global.get(task.k());
    }
}
