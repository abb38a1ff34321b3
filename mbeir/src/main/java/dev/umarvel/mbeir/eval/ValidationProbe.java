package dev.umarvel.mbeir.eval;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Instructions;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.Qrels;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A fixed, cheap slice of the validation split a training run measures itself on every few steps (its
 * learning curve): per task, the first {@code queriesPerTask} queries and a sub-pool of their positives
 * plus the first {@code poolPerTask} candidates of the task's local pool, so that a point costs seconds
 * where the whole validation split costs minutes. Recall is the evaluator's (R@5, R@10 for the fashion
 * tasks) in those sub-pools: comparable along one curve, higher than the full pools' figures.
 *
 * <p>It also watches for collapse: the mean pairwise cosine of the embeddings of a fixed sample of
 * candidates from every task, which nears 1 when every input maps to the same point.
 */
public final class ValidationProbe {

    /** One task's slice. */
    private record Slice(EvalTask task, List<MbeirQuery> queries, List<QueryInput> inputs, Map<String, Set<String>> qrels,
            List<MbeirCandidate> pool) {}

    /** One measurement: recall per task (local sub-pools) and the mean pairwise cosine of the sample. */
    public record Measurement(EvaluationResult recall, double meanPairwiseCosine) {}

    /** Candidates per task in the collapse sample. */
    static final int SAMPLE_PER_TASK = 4;

    private final MbeirLayout layout;
    private final List<Slice> slices;

    private ValidationProbe(MbeirLayout layout, List<Slice> slices) {
        this.layout = layout;
        this.slices = slices;
    }

    /** The dataset the probe reads (its images are paths under it). */
    public MbeirLayout layout() {
        return layout;
    }

    /** The probe of a dataset's validation split, or null when it has no validation queries. */
    public static ValidationProbe load(MbeirLayout layout, int queriesPerTask, int poolPerTask) throws IOException {
        List<EvalTask> tasks = layout.tasks(MbeirLayout.VAL);
        if (tasks.isEmpty()) {
            return null;
        }
        Instructions instructions = Instructions.read(layout.instructions());
        List<Slice> slices = new ArrayList<>();
        for (EvalTask task : tasks) {
            List<MbeirQuery> queries;
            try (Stream<MbeirQuery> lines = Jsonl.queries(layout.queries(MbeirLayout.VAL, task))) {
                queries = lines.limit(queriesPerTask).toList();
            }
            Map<String, Set<String>> qrels = Files.exists(layout.qrels(MbeirLayout.VAL, task))
                    ? Qrels.read(layout.qrels(MbeirLayout.VAL, task)) : Map.of();
            Set<String> wanted = new LinkedHashSet<>();
            queries.forEach(q -> wanted.addAll(qrels.getOrDefault(q.qid(), Set.copyOf(q.posCandList()))));
            List<MbeirCandidate> pool = new ArrayList<>();
            int others = 0;
            try (Stream<MbeirCandidate> lines = Jsonl.candidates(layout.localPool(task, MbeirLayout.VAL))) {
                for (MbeirCandidate c : (Iterable<MbeirCandidate>) lines::iterator) {
                    if (wanted.contains(c.did())) {
                        pool.add(c);
                    } else if (others < poolPerTask) {
                        pool.add(c);
                        others++;
                    }
                }
            }
            Random random = new Random(42L * 31 + task.name().hashCode()); // the instruction drawn as the evaluator draws it
            Instructions.Key key = new Instructions.Key(task.datasetId(), task.queryModality(), task.candidateModality());
            List<QueryInput> inputs = queries.stream().map(q -> new QueryInput(q, instructions.choose(key, random))).toList();
            slices.add(new Slice(task, queries, inputs, qrels, pool));
        }
        return new ValidationProbe(layout, slices);
    }

    /** Embeds the slices with {@code encoder} and scores them. */
    public Measurement measure(String label, Encoder encoder) throws Exception {
        List<TaskResult> results = new ArrayList<>();
        List<float[]> sample = new ArrayList<>();
        int k = Recall.KS.get(Recall.KS.size() - 1);
        for (Slice s : slices) {
            float[][] q = s.inputs().isEmpty() ? new float[0][] : encoder.queries(s.inputs());
            float[][] c = encoder.candidates(s.pool());
            for (int i = 0; i < Math.min(SAMPLE_PER_TASK, c.length); i++) {
                sample.add(c[i]);
            }
            List<List<String>> ranked = new ArrayList<>();
            if (q.length > 0) {
                for (int[] row : ExactSearch.search(Matrix.of(q), Matrix.of(c), Math.min(k, c.length), 1).indices()) {
                    ranked.add(java.util.Arrays.stream(row).mapToObj(i -> s.pool().get(i).did()).toList());
                }
            }
            results.add(new TaskResult(s.task(), s.queries().size(), Evaluator.score(s.queries(), s.qrels(), ranked), null));
        }
        return new Measurement(new EvaluationResult(label, MbeirLayout.VAL, results), meanPairwiseCosine(sample));
    }

    /** Mean cosine over distinct pairs of unit vectors. */
    static double meanPairwiseCosine(List<float[]> unit) {
        double sum = 0;
        long pairs = 0;
        for (int i = 0; i < unit.size(); i++) {
            for (int j = i + 1; j < unit.size(); j++) {
                double dot = 0;
                for (int d = 0; d < unit.get(i).length; d++) {
                    dot += unit.get(i)[d] * unit.get(j)[d];
                }
                sum += dot;
                pairs++;
            }
        }
        return pairs == 0 ? Double.NaN : sum / pairs;
    }
}
