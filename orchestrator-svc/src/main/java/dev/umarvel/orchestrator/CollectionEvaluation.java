package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.EvaluationSummary;
import dev.umarvel.api.v1.Hit;
import dev.umarvel.api.v1.Image;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.SearchFilter;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.TextNormalizer;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.EvaluationSummaries;
import dev.umarvel.mbeir.eval.Evaluator;
import dev.umarvel.mbeir.eval.QueryInput;
import dev.umarvel.mbeir.eval.Retriever;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * M-BEIR Recall of a collection as its users get it: each validation query searched in SINGLE mode
 * through the orchestrator's own search path (the collection's model, its HNSW index), the local
 * scope filtered on the task's pool label, the global scope on the split's pool labels (the evaluator's global pool).
 */
final class CollectionEvaluation {

    private CollectionEvaluation() {}

    /** @param dataDir the dataset's store-relative directory (query images are sent by store path) */
    static EvaluationSummary run(Searcher searcher, Searcher.Target target, MbeirLayout layout, String dataDir, String split,
            int queriesPerTask, String label, Consumer<String> progress) throws Exception {
        // the global scope is the evaluator's global pool, the union of the split's local pools: not the whole collection,
        // which may also hold the training pool (Distill's teacher pool) and other splits' pools
        SearchFilter global = SearchFilter.newBuilder().addAllPools(layout.tasks(split).stream().map(t -> poolLabel(layout, t, split)).toList())
                .build();
        Retriever retriever = (task, queries, scope, k) -> {
            List<List<String>> ranked = new ArrayList<>(queries.size());
            for (QueryInput q : queries) {
                SearchRequest.Builder r = SearchRequest.newBuilder().setCollection(target.record().name()).setQuery(query(q, dataDir))
                        .setTopK(k).setMode(SearchMode.SEARCH_MODE_SINGLE);
                r.setFilter(scope == Retriever.Scope.LOCAL ? SearchFilter.newBuilder().addPools(poolLabel(layout, task, split)).build() : global);
                ranked.add(searcher.search(r.build(), target).getHitsList().stream().map(Hit::getDid).toList());
            }
            return ranked;
        };
        List<EvalTask> tasks = layout.tasks(split);
        EvaluationResult result = Evaluator.evaluate(label, layout, retriever, new Evaluator.Options(split, true, tasks, 42, queriesPerTask),
                progress);
        return EvaluationSummaries.of(result);
    }

    /**
     * The label of a task's local pool for a split: the task's name where every split shares one pool
     * file (most M-BEIR tasks), "mscoco_task0_val" where the split has its own (MSCOCO's val pools).
     */
    static String poolLabel(MbeirLayout layout, EvalTask task, String split) {
        return layout.localPool(task, split).equals(layout.localPool(task, MbeirLayout.TEST)) ? task.name() : task.name() + "_" + split;
    }

    /** A query as a client sends it: the instruction, M-BEIR's formatted text, the image by store path. */
    static Query query(QueryInput in, String dataDir) {
        return query(in.query(), in.instruction(), dataDir);
    }

    static Query query(MbeirQuery q, String instruction, String dataDir) {
        Content.Builder content = Content.newBuilder();
        if (q.queryModality().hasText() && q.queryTxt() != null) {
            content.setText(TextNormalizer.format(q.queryTxt()));
        }
        if (q.queryModality().hasImage() && q.queryImgPath() != null) {
            content.setImage(Image.newBuilder().setStorePath(dataDir + "/" + q.queryImgPath()));
        }
        return Query.newBuilder().setInstruction(instruction == null ? "" : instruction).setContent(content).setQid(q.qid()).build();
    }
}
