package dev.umarvel.mbeir.eval;

import java.util.List;
import java.util.Objects;

/** Per-task recall and the plain mean of the reported metrics (the M-BEIR headline). */
public record EvaluationResult(String label, String split, List<TaskResult> tasks) {

    public double meanLocal() {
        return tasks.stream().mapToDouble(TaskResult::reportedLocal).average().orElse(Double.NaN);
    }

    /** Null unless every task was evaluated in the global pool. */
    public Double meanGlobal() {
        if (tasks.isEmpty() || tasks.stream().map(TaskResult::reportedGlobal).anyMatch(Objects::isNull)) {
            return null;
        }
        return tasks.stream().mapToDouble(TaskResult::reportedGlobal).average().orElse(Double.NaN);
    }
}
