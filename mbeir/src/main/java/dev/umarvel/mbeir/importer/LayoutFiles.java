package dev.umarvel.mbeir.importer;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.Qrels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The files every importer writes alike, from its queries keyed "split/task name" ({@code "test/nights_task4"}).
 */
final class LayoutFiles {

    static final List<String> SPLITS = List.of(MbeirLayout.TRAIN, MbeirLayout.VAL, MbeirLayout.TEST);

    private LayoutFiles() {
    }

    /** A task's local pool (val and test share it), its qrels in every split and its val and test queries (none for an empty split). */
    static void task(MbeirLayout layout, EvalTask task, List<MbeirCandidate> pool, Map<String, List<MbeirQuery>> queries) throws IOException {
        Jsonl.write(layout.localPool(task, MbeirLayout.TEST), pool, MbeirCandidate::toJson);
        for (String split : SPLITS) {
            List<MbeirQuery> qs = queries.get(split + "/" + task.name());
            Qrels.write(layout.qrels(split, task), qs);
            if (!split.equals(MbeirLayout.TRAIN) && !qs.isEmpty()) {
                Jsonl.write(layout.queries(split, task), qs, MbeirQuery::toJson);
            }
        }
    }

    /** The union files: the training pool and queries, one evaluation pool as both val's and test's, the val queries. */
    static void unions(MbeirLayout layout, List<MbeirCandidate> trainPool, List<MbeirCandidate> evaluationPool, List<MbeirQuery> train,
            List<MbeirQuery> val) throws IOException {
        Jsonl.write(layout.unionPool(MbeirLayout.TRAIN), trainPool, MbeirCandidate::toJson);
        Jsonl.write(layout.unionPool(MbeirLayout.VAL), evaluationPool, MbeirCandidate::toJson);
        Jsonl.write(layout.unionPool(MbeirLayout.TEST), evaluationPool, MbeirCandidate::toJson);
        Jsonl.write(layout.unionTrainQueries(), train, MbeirQuery::toJson);
        Jsonl.write(layout.unionValQueries(), val, MbeirQuery::toJson);
    }

    /** The queries of {@code tasks} in {@code split}, task after task. */
    static List<MbeirQuery> of(Map<String, List<MbeirQuery>> queries, String split, List<EvalTask> tasks) {
        List<MbeirQuery> out = new ArrayList<>();
        tasks.forEach(t -> out.addAll(queries.get(split + "/" + t.name())));
        return out;
    }
}
