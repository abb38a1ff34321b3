package dev.umarvel.mbeir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/** M-BEIR training queries with the pool that resolves their dids and the instruction prompts. */
public record TrainingSet(List<MbeirQuery> queries, Map<String, MbeirCandidate> pool, Instructions instructions) {

    public static TrainingSet load(Path queries, Path pool, Path instructions) throws IOException {
        List<MbeirQuery> qs;
        try (Stream<MbeirQuery> lines = Jsonl.queries(queries)) {
            qs = lines.filter(q -> !q.posCandList().isEmpty()).toList();
        }
        Map<String, MbeirCandidate> candidates = new HashMap<>();
        try (Stream<MbeirCandidate> lines = Jsonl.candidates(pool)) {
            lines.forEach(c -> candidates.put(c.did(), c));
        }
        for (MbeirQuery q : qs) {
            for (String did : q.posCandList()) {
                if (!candidates.containsKey(did)) {
                    throw new IllegalArgumentException(queries + ": positive " + did + " of " + q.qid() + " is not in " + pool);
                }
            }
        }
        return new TrainingSet(qs, candidates, Instructions.read(instructions));
    }

    /** One prompt for the query, drawn as M-BEIR does (key: dataset, query modality, modality of the first positive). */
    public String instruction(MbeirQuery q, Random random) {
        MbeirCandidate first = pool.get(q.posCandList().get(0));
        Instructions.Key key = new Instructions.Key(q.datasetId(), q.queryModality(), first.modality());
        List<String> prompts = instructions.prompts(key);
        if (prompts.isEmpty() && q.taskId() != null) {
            key = new Instructions.Key(q.datasetId(), TaskId.queryModality(q.taskId()), TaskId.candidateModality(q.taskId()));
        }
        return instructions.choose(key, random);
    }

    /** One positive drawn at random, as the released code does. */
    public MbeirCandidate positive(MbeirQuery q, Random random) {
        return pool.get(q.posCandList().get(random.nextInt(q.posCandList().size())));
    }

    /** The prompt of a query for a given seed: the same draw wherever the query is used (training, teacher scoring). */
    public String instruction(MbeirQuery q, long seed) {
        return instruction(q, new Random(seed * 31 + q.qid().hashCode()));
    }

    /** The seed of {@link #sample} where none is asked for: one fixed sample, so that two distillations draw the same queries. */
    public static final long DEFAULT_SAMPLE_SEED = 42;

    /**
     * A stratified sample: this share of each task's queries (at least one per task), drawn with
     * {@code seed}; the same queries for the same seed on every machine (u-marvel.md section 8).
     */
    public static List<MbeirQuery> sample(List<MbeirQuery> queries, double fraction, long seed) {
        Map<String, List<MbeirQuery>> byTask = new LinkedHashMap<>();
        for (MbeirQuery q : queries) {
            byTask.computeIfAbsent(q.datasetId() + "/" + q.taskId(), k -> new ArrayList<>()).add(q);
        }
        List<MbeirQuery> out = new ArrayList<>();
        Random random = new Random(seed);
        for (List<MbeirQuery> group : byTask.values()) {
            List<MbeirQuery> shuffled = new ArrayList<>(group);
            shuffled.sort(Comparator.comparing(MbeirQuery::qid));
            Collections.shuffle(shuffled, random);
            out.addAll(shuffled.subList(0, Math.max(1, (int) Math.round(fraction * group.size()))));
        }
        return out;
    }

    /** The M-BEIR task name of a query ("mscoco_task3"), which per-task settings are keyed by. */
    public static String taskName(MbeirQuery q) {
        return EvalTask.ALL.stream().filter(t -> t.datasetId() == q.datasetId() && q.taskId() != null && t.taskId() == q.taskId())
                .map(EvalTask::name).findFirst().orElse("dataset" + q.datasetId() + "_task" + q.taskId());
    }
}
