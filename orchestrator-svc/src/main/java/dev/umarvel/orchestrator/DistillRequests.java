package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.DistillRequest;
import java.util.Map;

/** The checks of a DistillRequest the orchestrator makes itself (the trainer checks the hyper-parameters). */
final class DistillRequests {

    private DistillRequests() {}

    static void validate(DistillRequest r) {
        if (r.getCollection().isEmpty()) {
            throw Requests.invalid("collection", "empty");
        }
        if (r.getDatasetDir().isEmpty()) {
            throw Requests.invalid("dataset_dir", "empty");
        }
        if (r.hasSampleFraction() && !(r.getSampleFraction() > 0 && r.getSampleFraction() <= 1)) {
            throw Requests.invalid("sample_fraction", "must be in (0, 1], got " + r.getSampleFraction());
        }
        if (r.getRecallK() != 0) {
            Requests.range(r.getRecallK(), 2, 1000, "recall_k");
        }
        if (r.hasTeacherWeight() && !(r.getTeacherWeight() >= 0)) {
            throw Requests.invalid("teacher_weight", "must be >= 0, got " + r.getTeacherWeight());
        }
        for (Map.Entry<String, Double> w : r.getTaskTeacherWeightsMap().entrySet()) {
            if (!(w.getValue() >= 0)) {
                throw Requests.invalid("task_teacher_weights[" + w.getKey() + "]", "must be >= 0, got " + w.getValue());
            }
        }
        if (r.getEvalQueriesPerTask() < 0) {
            throw Requests.invalid("eval_queries_per_task", "must be >= 0, got " + r.getEvalQueriesPerTask());
        }
        if (r.getValQueriesCount() > 0) {
            throw Requests.invalid("val_queries", "only the dataset's query/val files are evaluated; leave it empty");
        }
        for (String[] path : new String[][] {{"train_queries", r.getTrainQueries()}, {"instructions", r.getInstructions()}}) {
            if (path[1].startsWith("/") || java.nio.file.Path.of(path[1]).normalize().startsWith("..")) {
                throw Requests.invalid(path[0], "'" + path[1] + "' escapes dataset_dir");
            }
        }
    }
}
