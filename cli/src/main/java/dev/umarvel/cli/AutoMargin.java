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
 * AUTO's margins, chosen on validation queries: AUTO reranks a query when its retriever's first two scores are closer
 * than the margin, so the margin decides how many queries pay for the reranker. A fixed margin means different things
 * for different models (a distilled model's scores spread differently); these are measured on the model being served:
 * each validation query is searched in SINGLE and in CASCADE. One margin per task, because where the reranker pays is a
 * matter of task more than of margin: a reranker that reads names wins the questions the retriever answers with a clear
 * but wrong first hit, which no global margin picks out (docs/benchmarks.md). The margins kept find the most positives
 * while reranking at most a given share of all the queries (fewest reranked on a tie); a task whose every validation
 * query is worth reranking gets an infinite margin, one where the reranker finds nothing more gets 0 (never reranked).
 */
final class AutoMargin {

    private AutoMargin() {}

    /** One validation query: its task, SINGLE margin and whether SINGLE and CASCADE found a positive in the task's top k. */
    record Query(String task, double margin, boolean singleHit, boolean cascadeHit) {}

    /** The margins kept (by task; a task not named is never reranked) and what they did on the validation queries (recalls in percent). */
    record Choice(Map<String, Double> margins, int queries, double reranked, double auto, double single, double cascade) {
        String describe() {
            StringBuilder reranking = new StringBuilder();
            margins.forEach((task, m) -> {
                if (m > 0) {
                    reranking.append(reranking.length() == 0 ? "" : ", ").append(task).append(' ')
                            .append(Double.isInfinite(m) ? "all" : String.format(java.util.Locale.ROOT, "%.4f", m));
                }
            });
            return String.format(java.util.Locale.ROOT, "AUTO margins from %d validation queries (%s): %.0f%% reranked, "
                    + "recall AUTO %.2f, SINGLE %.2f, CASCADE %.2f", queries, reranking.length() == 0 ? "none reranked" : reranking,
                    100 * reranked, auto, single, cascade);
        }

        /** The margin a task's AUTO searches send. */
        double margin(String task) {
            return margins.getOrDefault(task, 0.0);
        }
    }

    /** One way to search a task: rerank its queries closer than {@code margin}, {@code reranked} of them, finding {@code gain} more. */
    private record Option(double margin, int reranked, int gain) {}

    /** The margins under which AUTO finds the most positives reranking at most {@code maxReranked} of all the queries. */
    static Choice choose(List<Query> queries, double maxReranked) {
        int n = queries.size();
        Map<String, List<Query>> byTask = new java.util.TreeMap<>();
        queries.forEach(q -> byTask.computeIfAbsent(q.task(), t -> new ArrayList<>()).add(q));
        List<String> tasks = new ArrayList<>(byTask.keySet());
        List<List<Option>> options = new ArrayList<>();
        for (String task : tasks) {
            options.add(options(byTask.get(task)));
        }
        // knapsack over the tasks: best[t][c] the most extra positives from the first t tasks reranking exactly c queries
        int budget = (int) Math.floor(maxReranked * n + 1e-9);
        int[][] best = new int[tasks.size() + 1][budget + 1];
        int[][] pick = new int[tasks.size() + 1][budget + 1];
        for (int[] row : best) {
            java.util.Arrays.fill(row, Integer.MIN_VALUE);
        }
        best[0][0] = 0;
        for (int t = 1; t <= tasks.size(); t++) {
            for (int c = 0; c <= budget; c++) {
                List<Option> os = options.get(t - 1);
                for (int o = 0; o < os.size(); o++) {
                    int before = c - os.get(o).reranked();
                    if (before >= 0 && best[t - 1][before] != Integer.MIN_VALUE && best[t - 1][before] + os.get(o).gain() > best[t][c]) {
                        best[t][c] = best[t - 1][before] + os.get(o).gain();
                        pick[t][c] = o;
                    }
                }
            }
        }
        int cost = 0;
        for (int c = 1; c <= budget; c++) {
            if (best[tasks.size()][c] > best[tasks.size()][cost]) {
                cost = c; // strictly more: a tie keeps the fewer reranked
            }
        }
        Map<String, Double> margins = new java.util.TreeMap<>(); // by task name, as the tasks were laid out
        for (int t = tasks.size(), c = cost; t > 0; t--) {
            Option o = options.get(t - 1).get(pick[t][c]);
            margins.put(tasks.get(t - 1), o.margin());
            c -= o.reranked();
        }
        int gain = best[tasks.size()][cost];
        int singleHits = (int) queries.stream().filter(Query::singleHit).count();
        int cascadeHits = (int) queries.stream().filter(Query::cascadeHit).count();
        return new Choice(margins, n, n == 0 ? 0 : (double) cost / n, percent(singleHits + gain, n), percent(singleHits, n),
                percent(cascadeHits, n));
    }

    /**
     * A task's ways: never rerank (margin 0), or rerank its i closest calls (a margin just above the i-th smallest gap; queries
     * of equal gap together), all of them with an infinite margin. Only options that find more than the ones before them.
     */
    private static List<Option> options(List<Query> task) {
        List<Query> byMargin = task.stream().sorted(Comparator.comparingDouble(Query::margin)).toList();
        List<Option> out = new ArrayList<>(List.of(new Option(0, 0, 0)));
        int gain = 0;
        for (int i = 0; i < byMargin.size(); i++) {
            Query q = byMargin.get(i);
            gain += (q.cascadeHit() ? 1 : 0) - (q.singleHit() ? 1 : 0);
            boolean tiesNext = i + 1 < byMargin.size() && byMargin.get(i + 1).margin() == q.margin();
            if (!tiesNext && gain > out.get(out.size() - 1).gain() && Double.isFinite(q.margin())) {
                out.add(new Option(i + 1 == byMargin.size() ? Double.POSITIVE_INFINITY : Math.nextUp(q.margin()), i + 1, gain));
            }
        }
        return out;
    }

    private static double percent(int hits, int n) {
        return n == 0 ? 0 : 100.0 * hits / n;
    }

    /**
     * Searches {@code perTask} validation queries of each task in SINGLE and in CASCADE through the orchestrator (local
     * pools, the evaluator's instructions) and chooses the margins.
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
            queries.add(new Query(a.task().name(), a.margin(), Recall.hit(a.dids(), relevant, a.task().k()),
                    Recall.hit(b.dids(), relevant, a.task().k())));
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
