package dev.umarvel.recipe.data;

import dev.umarvel.mbeir.Instructions;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.TaskId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
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
}
