package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.DistillRequest;
import java.util.Map;

/** The checks of a DistillRequest the orchestrator makes itself (the trainer checks the hyper-parameters). */
final class DistillRequests {

    /** The teacher pool when the request names none. */
    static final String TRAIN_POOL = "train";

    private DistillRequests() {}

    /** The pools the request's teacher lists come from. */
    static java.util.Set<String> teacherPools(DistillRequest r) {
        return r.getTeacherPoolsCount() == 0 ? java.util.Set.of(TRAIN_POOL) : java.util.Set.copyOf(r.getTeacherPoolsList());
    }

    /**
     * A pool an evaluation searches: a task's name (its test pool), M-BEIR's or any dataset's "name_taskN", or that name
     * with "_val" or "_test". Judged by form, so that no dataset of a user's own can lend its test pool to a teacher.
     */
    static boolean evaluationPool(String pool) {
        return pool.matches("[a-z0-9][a-z0-9_-]*_task[0-9](_(val|test))?");
    }

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
        if (r.hasTeacherWeight() && !Requests.atLeastZero(r.getTeacherWeight())) {
            throw Requests.invalid("teacher_weight", "must be >= 0, got " + r.getTeacherWeight());
        }
        for (Map.Entry<String, Double> w : r.getTaskTeacherWeightsMap().entrySet()) {
            if (!Requests.atLeastZero(w.getValue())) {
                throw Requests.invalid("task_teacher_weights[" + w.getKey() + "]", "must be >= 0, got " + w.getValue());
            }
        }
        if (r.getEvalQueriesPerTask() < 0) {
            throw Requests.invalid("eval_queries_per_task", "must be >= 0, got " + r.getEvalQueriesPerTask());
        }
        if (r.getValQueriesCount() > 0) {
            throw Requests.invalid("val_queries", "only the dataset's query/val files are evaluated; leave it empty");
        }
        for (int i = 0; i < r.getTeacherPoolsCount(); i++) {
            String pool = r.getTeacherPools(i);
            if (pool.isEmpty()) {
                throw Requests.invalid("teacher_pools[" + i + "]", "empty");
            }
            if (evaluationPool(pool)) {
                throw Requests.invalid("teacher_pools[" + i + "]", "'" + pool + "' is an evaluation pool: teacher lists come from training "
                        + "candidates only");
            }
        }
        for (String[] path : new String[][] {{"train_queries", r.getTrainQueries()}, {"instructions", r.getInstructions()}}) {
            if (path[1].startsWith("/") || java.nio.file.Path.of(path[1]).normalize().startsWith("..")) {
                throw Requests.invalid(path[0], "'" + path[1] + "' escapes dataset_dir");
            }
        }
    }
}
