package dev.umarvel.mbeir;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Checks every invariant of an M-BEIR directory: well-formed unique ids, positives present in
 * the pool of their task with the task's modality, instructions for every task, images that
 * decode, disjoint splits, qrels that agree with the query files, and (for M-BEIR-synth) the
 * planted false-negative rate its manifest reports.
 */
public final class DatasetValidator {

    /** What was checked, what is wrong, and what a reader should know; valid when {@code problems} is empty. */
    public record Result(List<String> problems, Map<String, Long> counts, List<String> notes) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    private static final int MAX_PROBLEMS = 200;

    private final MbeirLayout layout;
    private final List<String> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Long> counts = new HashMap<>();
    private final Set<String> checkedImages = new HashSet<>();
    private final Map<String, Set<String>> qidsBySplit = new HashMap<>();

    private DatasetValidator(MbeirLayout layout) {
        this.layout = layout;
    }

    public static Result validate(Path root) throws IOException {
        DatasetValidator v = new DatasetValidator(new MbeirLayout(root));
        v.run();
        return new Result(List.copyOf(v.problems), Map.copyOf(v.counts), List.copyOf(v.notes));
    }

    private void problem(String p) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(p);
        }
    }

    private void run() throws IOException {
        Instructions instructions = null;
        if (Files.exists(layout.instructions())) {
            instructions = Instructions.read(layout.instructions());
        } else {
            problem(layout.instructions() + ": missing");
        }
        List<EvalTask> tasks = layout.tasks(MbeirLayout.TEST);
        if (tasks.isEmpty()) {
            problem(layout.root() + ": no evaluation task has test queries (query/test/mbeir_<dataset>_task<N>_test.jsonl)");
        }
        counts.put("tasks", (long) tasks.size());
        // a val split is optional: without one, learning curves and Distill's before/after go without validation recall
        boolean hasVal = !layout.tasks(MbeirLayout.VAL).isEmpty();
        if (!hasVal) {
            notes.add("no val split (query/val/): training jobs' learning curves will carry no validation recall, and Distill, "
                    + "which judges a distilled model on it before the swap, refuses this dataset");
        }
        for (EvalTask task : tasks) {
            if (instructions != null && instructions.prompts(new Instructions.Key(task.datasetId(), task.queryModality(),
                    task.candidateModality())).isEmpty()) {
                problem(layout.instructions() + ": no prompts for " + task.name() + " (dataset id " + task.datasetId() + ", "
                        + task.queryModality().wire() + " -> " + task.candidateModality().wire() + ")");
            }
            for (String split : hasVal ? List.of(MbeirLayout.VAL, MbeirLayout.TEST) : List.of(MbeirLayout.TEST)) {
                Map<String, MbeirCandidate> pool = pool(layout.localPool(task, split));
                checkQueries(layout.queries(split, task), split, task, pool);
                checkQrels(layout.qrels(split, task), layout.queries(split, task));
            }
        }
        checkTrain();
        checkUnionCoversLocal();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, Set<String>> e : qidsBySplit.entrySet()) {
            for (String qid : e.getValue()) {
                if (!seen.add(qid)) {
                    problem("qid " + qid + " appears in more than one split");
                }
            }
        }
        counts.put("images", (long) checkedImages.size());
    }

    private Map<String, MbeirCandidate> pool(Path file) throws IOException {
        Map<String, MbeirCandidate> out = new HashMap<>();
        if (!Files.exists(file)) {
            problem(file + ": missing");
            return out;
        }
        try (Stream<MbeirCandidate> lines = Jsonl.candidates(file)) {
            lines.forEach(c -> {
                if (out.put(c.did(), c) != null) {
                    problem(file + ": did " + c.did() + " appears twice");
                }
                image(file, c.imgPath());
            });
        } catch (MbeirFormatException e) {
            problem(e.getMessage());
        }
        counts.merge("pool_candidates", (long) out.size(), Long::sum);
        return out;
    }

    private void checkQueries(Path file, String split, EvalTask task, Map<String, MbeirCandidate> pool) throws IOException {
        if (!Files.exists(file)) {
            problem(file + ": missing");
            return;
        }
        try (Stream<MbeirQuery> lines = Jsonl.queries(file)) {
            lines.forEach(q -> checkQuery(file, split, task, q, pool));
        } catch (MbeirFormatException e) {
            problem(e.getMessage());
        }
    }

    private void checkQuery(Path file, String split, EvalTask task, MbeirQuery q, Map<String, MbeirCandidate> pool) {
        counts.merge(split + "_queries", 1L, Long::sum);
        if (!qidsBySplit.computeIfAbsent(split, s -> new HashSet<>()).add(q.qid())) {
            problem(file + ": qid " + q.qid() + " appears twice in " + split);
        }
        if (task != null) {
            if (q.datasetId() != task.datasetId()) {
                problem(file + ": qid " + q.qid() + " is not of dataset " + task.datasetId());
            }
            if (!Objects.equals(q.taskId(), task.taskId())) {
                problem(file + ": " + q.qid() + " has task_id " + q.taskId() + ", expected " + task.taskId());
            }
        }
        Integer taskId = q.taskId();
        if (taskId == null) {
            problem(file + ": " + q.qid() + " has no task_id");
            return;
        }
        if (TaskId.queryModality(taskId) != q.queryModality()) {
            problem(file + ": " + q.qid() + " is " + q.queryModality().wire() + " but task " + taskId + " queries are "
                    + TaskId.queryModality(taskId).wire());
        }
        if (q.posCandList().isEmpty()) {
            problem(file + ": " + q.qid() + " has no positive");
        }
        for (String did : q.posCandList()) {
            MbeirCandidate c = pool.get(did);
            if (c == null) {
                problem(file + ": positive " + did + " of " + q.qid() + " is not in its pool");
            } else if (c.modality() != TaskId.candidateModality(taskId)) {
                problem(file + ": positive " + did + " of " + q.qid() + " is " + c.modality().wire() + ", task " + taskId
                        + " wants " + TaskId.candidateModality(taskId).wire());
            }
        }
        for (String did : q.negCandList()) {
            if (!pool.containsKey(did)) {
                problem(file + ": negative " + did + " of " + q.qid() + " is not in its pool");
            }
        }
        image(file, q.queryImgPath());
    }

    private void checkQrels(Path qrels, Path queriesFile) throws IOException {
        if (!Files.exists(qrels) || !Files.exists(queriesFile)) {
            problem(qrels + ": missing");
            return;
        }
        Map<String, Set<String>> fromQrels = Qrels.read(qrels);
        try (Stream<MbeirQuery> lines = Jsonl.queries(queriesFile)) {
            lines.forEach(q -> {
                if (!Set.copyOf(q.posCandList()).equals(fromQrels.getOrDefault(q.qid(), Set.of()))) {
                    problem(qrels + ": positives of " + q.qid() + " differ from " + queriesFile.getFileName());
                }
            });
        } catch (MbeirFormatException e) {
            problem(e.getMessage());
        }
    }

    private void checkTrain() throws IOException {
        Path queries = layout.unionTrainQueries();
        if (!Files.exists(queries)) {
            problem(queries + ": missing");
            return;
        }
        Map<String, MbeirCandidate> pool = pool(layout.unionPool(MbeirLayout.TRAIN));
        long[] planted = new long[1];
        try (Stream<MbeirQuery> lines = Jsonl.queries(queries)) {
            lines.forEach(q -> {
                checkQuery(queries, MbeirLayout.TRAIN, null, q, pool);
                if (hasDuplicateOfPositive(q, pool)) {
                    planted[0]++;
                }
            });
        } catch (MbeirFormatException e) {
            problem(e.getMessage());
        }
        counts.put("false_negatives", planted[0]);
        Path manifest = layout.root().resolve("synth_manifest.json");
        if (Files.exists(manifest)) {
            JsonNode m = Json.MAPPER.readTree(manifest.toFile());
            long reported = m.path("planted_false_negatives").asLong(-1);
            if (reported != planted[0]) {
                problem(manifest + ": reports " + reported + " planted false negatives, the data has " + planted[0]);
            }
            long trainQueries = counts.getOrDefault(MbeirLayout.TRAIN + "_queries", 0L);
            double rate = trainQueries == 0 ? 0 : (double) planted[0] / trainQueries;
            if (Math.abs(rate - m.path("false_negative_rate").asDouble(-1)) > 1e-9) {
                problem(manifest + ": reports false-negative rate " + m.path("false_negative_rate").asDouble() + ", the data has " + rate);
            }
        }
    }

    /** A negative whose content (text and image) equals a positive's: a false negative. */
    private static boolean hasDuplicateOfPositive(MbeirQuery q, Map<String, MbeirCandidate> pool) {
        Set<String> positives = new HashSet<>();
        for (String did : q.posCandList()) {
            MbeirCandidate c = pool.get(did);
            if (c != null) {
                positives.add(c.txt() + "|" + c.imgPath());
            }
        }
        for (String did : q.negCandList()) {
            MbeirCandidate c = pool.get(did);
            if (c != null && positives.contains(c.txt() + "|" + c.imgPath())) {
                return true;
            }
        }
        return false;
    }

    private void checkUnionCoversLocal() throws IOException {
        Path union = layout.unionPool(MbeirLayout.TEST);
        if (!Files.exists(union)) {
            problem(union + ": missing");
            return;
        }
        Set<String> dids = new HashSet<>();
        try (Stream<MbeirCandidate> lines = Jsonl.candidates(union)) {
            lines.forEach(c -> dids.add(c.did()));
        }
        for (EvalTask task : layout.tasks(MbeirLayout.TEST)) {
            Path local = layout.localPool(task, MbeirLayout.TEST);
            if (Files.exists(local)) {
                try (Stream<MbeirCandidate> lines = Jsonl.candidates(local)) {
                    if (lines.anyMatch(c -> !dids.contains(c.did()))) {
                        problem(union + ": lacks candidates of " + local.getFileName());
                    }
                }
            }
        }
    }

    private void image(Path file, String relative) {
        if (relative == null || !checkedImages.add(relative)) {
            return;
        }
        Path image = layout.image(relative);
        try {
            if (ImageIO.read(image.toFile()) == null) {
                problem(file + ": image " + relative + " does not decode");
            }
        } catch (IOException e) {
            problem(file + ": image " + relative + " is unreadable: " + e.getMessage());
        }
    }
}
