package dev.umarvel.mbeir.eval;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Instructions;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.Qrels;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * M-BEIR evaluation: for each task, the split's queries (with an instruction drawn as M-BEIR does)
 * are ranked by a {@link Retriever} in the local and optionally the global pool, and scored with
 * Recall@{1,5,10,50} against the qrels.
 */
public final class Evaluator {

    /**
     * @param split "val" or "test"
     * @param global also rank in the global pool
     * @param tasks the tasks to run, in order (normally all 16)
     * @param seed seed of the instruction choice
     * @param queriesPerTask only the first this many queries of each task (0: all), for evaluations that cost per query
     */
    public record Options(String split, boolean global, List<EvalTask> tasks, long seed, int queriesPerTask) {
        public Options(String split, boolean global, List<EvalTask> tasks, long seed) {
            this(split, global, tasks, seed, 0);
        }

        /** Every task the directory has queries for (all 16 for M-BEIR), instruction seed 42. */
        public static Options all(MbeirLayout layout, String split, boolean global) {
            return new Options(split, global, layout.tasks(split), 42);
        }
    }

    private Evaluator() {}

    public static EvaluationResult evaluate(String label, MbeirLayout layout, Retriever retriever, Options options,
            Consumer<String> progress) throws Exception {
        Instructions instructions = Instructions.read(layout.instructions());
        int k = Recall.KS.get(Recall.KS.size() - 1);
        List<TaskResult> results = new ArrayList<>();
        for (EvalTask task : options.tasks()) {
            progress.accept("evaluating " + task.name());
            List<MbeirQuery> queries;
            try (Stream<MbeirQuery> lines = Jsonl.queries(layout.queries(options.split(), task))) {
                queries = options.queriesPerTask() > 0 ? lines.limit(options.queriesPerTask()).toList() : lines.toList();
            }
            Map<String, Set<String>> qrels = qrels(layout, options.split(), task);
            Random random = new Random(options.seed() * 31 + task.name().hashCode());
            Instructions.Key key = new Instructions.Key(task.datasetId(), task.queryModality(), task.candidateModality());
            List<QueryInput> inputs = queries.stream().map(q -> new QueryInput(q, instructions.choose(key, random))).toList();
            Map<Integer, Double> local = score(queries, qrels, retriever.rank(task, inputs, Retriever.Scope.LOCAL, k));
            Map<Integer, Double> global = options.global()
                    ? score(queries, qrels, retriever.rank(task, inputs, Retriever.Scope.GLOBAL, k)) : null;
            results.add(new TaskResult(task, queries.size(), local, global));
        }
        return new EvaluationResult(label, options.split(), results);
    }

    /** A task's qrels of a split, or none when the split has no qrels file (the queries' positives then count). */
    public static Map<String, Set<String>> qrels(MbeirLayout layout, String split, EvalTask task) throws IOException {
        return Files.exists(layout.qrels(split, task)) ? Qrels.read(layout.qrels(split, task)) : Map.of();
    }

    /** The dids relevant to a query: its qrels when they list it, else its positives. */
    public static Set<String> relevant(Map<String, Set<String>> qrels, MbeirQuery q) {
        return qrels.getOrDefault(q.qid(), Set.copyOf(q.posCandList()));
    }

    /**
     * Recall@k in percent for every k of {@link Recall#KS}. The relevant dids come from the qrels
     * when they list the query, else from its positives.
     */
    public static Map<Integer, Double> score(List<MbeirQuery> queries, Map<String, Set<String>> qrels, List<List<String>> ranked) {
        if (ranked.size() != queries.size()) {
            throw new IllegalArgumentException(ranked.size() + " rankings for " + queries.size() + " queries");
        }
        Map<Integer, Double> out = new LinkedHashMap<>();
        for (int k : Recall.KS) {
            int hits = 0;
            for (int i = 0; i < queries.size(); i++) {
                hits += Recall.hit(ranked.get(i), relevant(qrels, queries.get(i)), k) ? 1 : 0;
            }
            out.put(k, queries.isEmpty() ? 0 : 100.0 * hits / queries.size());
        }
        return out;
    }
}
