package dev.umarvel.cli;

import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.eval.Evaluator;
import dev.umarvel.mbeir.eval.Recall;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AUTO's margin, chosen on validation queries: AUTO reranks a query when its retriever's first two scores are closer
 * than the margin, so the margin decides how many queries pay for the reranker. A fixed margin means different things
 * for different models (a distilled model's scores spread differently); this one is measured on the model being served:
 * each validation query is searched in SINGLE and in CASCADE, and the margin kept is the one under which AUTO would have
 * found the most positives while reranking at most a given share of the queries (the smallest such margin on a tie).
 * When the reranker finds no more than the retriever, that is 0: AUTO then never reranks.
 */
final class AutoMargin {

    private AutoMargin() {}

    /** One validation query: its SINGLE margin and whether SINGLE and CASCADE found a positive in the task's top k. */
    record Query(double margin, boolean singleHit, boolean cascadeHit) {}

    /** The margin kept and what it did on the validation queries (recalls in percent). */
    record Choice(double margin, int queries, double reranked, double auto, double single, double cascade) {
        String describe() {
            return String.format(java.util.Locale.ROOT, "AUTO margin %.4f from %d validation queries: %.0f%% reranked, "
                    + "recall AUTO %.2f, SINGLE %.2f, CASCADE %.2f", margin, queries, 100 * reranked, auto, single, cascade);
        }
    }

    /** The margin under which AUTO finds the most positives reranking at most {@code maxReranked} of the queries. */
    static Choice choose(List<Query> queries, double maxReranked) {
        List<Query> byMargin = queries.stream().sorted(Comparator.comparingDouble(Query::margin)).toList();
        int n = byMargin.size();
        int singleHits = (int) byMargin.stream().filter(Query::singleHit).count();
        int cascadeHits = (int) byMargin.stream().filter(Query::cascadeHit).count();
        int hits = singleHits;
        int best = singleHits;
        double margin = 0;
        int bestReranked = 0;
        for (int i = 0; i < n && i + 1 <= maxReranked * n; i++) {
            // reranking the i+1 closest calls (margin just above the (i+1)-th smallest gap)
            Query q = byMargin.get(i);
            hits += (q.cascadeHit() ? 1 : 0) - (q.singleHit() ? 1 : 0);
            boolean tiesNext = i + 1 < n && byMargin.get(i + 1).margin() == q.margin();
            if (hits > best && !tiesNext && Double.isFinite(q.margin())) {
                best = hits;
                margin = Math.nextUp(q.margin());
                bestReranked = i + 1;
            }
        }
        return new Choice(margin, n, n == 0 ? 0 : (double) bestReranked / n, percent(best, n), percent(singleHits, n),
                percent(cascadeHits, n));
    }

    private static double percent(int hits, int n) {
        return n == 0 ? 0 : 100.0 * hits / n;
    }

    /**
     * Searches {@code perTask} validation queries of each task in SINGLE and in CASCADE through the orchestrator (local
     * pools, the evaluator's instructions) and chooses the margin.
     */
    static Choice calibrate(RetrievalGrpc.RetrievalBlockingStub stub, String collection, MbeirLayout layout, String data,
            List<EvalTask> tasks, int perTask, ServiceEvaluation.Searches searches, double maxReranked) throws Exception {
        Evaluator.Options options = new Evaluator.Options(MbeirLayout.VAL, false, tasks, 42, perTask);
        List<String> globalPools = tasks.stream().map(EvalTask::name).toList();
        Map<String, ServiceRetriever.Answer> single;
        Map<String, ServiceRetriever.Answer> cascade;
        try (ServiceRetriever s = new ServiceRetriever(stub, collection, data, globalPools, SearchMode.SEARCH_MODE_SINGLE, searches);
                ServiceRetriever c = new ServiceRetriever(stub, collection, data, globalPools, SearchMode.SEARCH_MODE_CASCADE, searches);
                Progress bar = new Progress("calibrate AUTO", 2L * tasks.size())) {
            Evaluator.evaluate("single", layout, s, options, bar.steps());
            Evaluator.evaluate("cascade", layout, c, options, bar.steps());
            single = s.localAnswers;
            cascade = c.localAnswers;
        }
        // each query the evaluator asked, judged as the evaluator judges it (the task's qrels, its top k)
        Map<EvalTask, Map<String, Set<String>>> qrels = new HashMap<>();
        List<Query> queries = new ArrayList<>();
        for (Map.Entry<String, ServiceRetriever.Answer> e : single.entrySet()) {
            ServiceRetriever.Answer a = e.getValue();
            ServiceRetriever.Answer b = cascade.get(e.getKey());
            Set<String> relevant = Evaluator.relevant(qrels.computeIfAbsent(a.task(), t -> read(layout, t)), a.query());
            queries.add(new Query(a.margin(), Recall.hit(a.dids(), relevant, a.task().k()), Recall.hit(b.dids(), relevant, a.task().k())));
        }
        return choose(queries, maxReranked);
    }

    private static Map<String, Set<String>> read(MbeirLayout layout, EvalTask task) {
        try {
            return Evaluator.qrels(layout, MbeirLayout.VAL, task);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
