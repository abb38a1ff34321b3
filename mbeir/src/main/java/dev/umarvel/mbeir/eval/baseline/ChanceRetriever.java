package dev.umarvel.mbeir.eval.baseline;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.eval.QueryInput;
import dev.umarvel.mbeir.eval.Retriever;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The pool in a random order (seeded per query): what recall is worth before anything is learned. */
public final class ChanceRetriever implements Retriever {

    private final Pools pools;

    public ChanceRetriever(Pools pools) {
        this.pools = pools;
    }

    @Override
    public List<List<String>> rank(EvalTask task, List<QueryInput> queries, Scope scope, int k) {
        List<String> dids = pools.of(task, scope).stream().map(MbeirCandidate::did).toList();
        List<List<String>> out = new ArrayList<>(queries.size());
        for (QueryInput q : queries) {
            out.add(Ranking.top(new double[dids.size()], dids, k, new Random(q.query().qid().hashCode())));
        }
        return out;
    }
}
