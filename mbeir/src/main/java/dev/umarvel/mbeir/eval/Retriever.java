package dev.umarvel.mbeir.eval;

import dev.umarvel.mbeir.EvalTask;
import java.util.List;

/** Any retrieval function the evaluator can score: embeddings + exact search, a service, a cascade. */
public interface Retriever {

    /** Where a query searches. */
    enum Scope {
        /** The task's own homogeneous pool. */
        LOCAL,
        /** The union of every task's pool: the instruction must steer the modality. */
        GLOBAL
    }

    /** Ranked dids, best first, at least {@code k} of them when the pool has that many, for each query in order. */
    List<List<String>> rank(EvalTask task, List<QueryInput> queries, Scope scope, int k) throws Exception;
}
