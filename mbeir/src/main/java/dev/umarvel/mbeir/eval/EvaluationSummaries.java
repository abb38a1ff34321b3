package dev.umarvel.mbeir.eval;

import dev.umarvel.api.v1.EvaluationSummary;
import dev.umarvel.api.v1.TaskRecall;

/** An {@link EvaluationResult} as the umarvel.v1 {@code EvaluationSummary} the trainer's and orchestrator's answers carry. */
public final class EvaluationSummaries {

    private EvaluationSummaries() {
    }

    public static EvaluationSummary of(EvaluationResult result) {
        EvaluationSummary.Builder s = EvaluationSummary.newBuilder().setSplit(result.split()).setLabel(result.label())
                .setMeanLocal(result.meanLocal());
        if (result.meanGlobal() != null) {
            s.setMeanGlobal(result.meanGlobal());
        }
        for (TaskResult t : result.tasks()) {
            TaskRecall.Builder tr = TaskRecall.newBuilder().setTask(t.task().name()).setDatasetId(t.task().datasetId())
                    .setTaskId(t.task().taskId()).setMetric(t.task().metric()).setQueries(t.queries()).setLocal(t.reportedLocal());
            t.local().forEach((k, v) -> tr.putLocalRecallAt("R@" + k, v));
            if (t.global() != null) {
                tr.setGlobal(t.reportedGlobal());
                t.global().forEach((k, v) -> tr.putGlobalRecallAt("R@" + k, v));
            }
            s.addTasks(tr);
        }
        return s.build();
    }
}
