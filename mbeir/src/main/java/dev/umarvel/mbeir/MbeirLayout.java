package dev.umarvel.mbeir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where each file of an M-BEIR directory lives (the layout of the Hugging Face M-BEIR release),
 * so the platform reads the real M-BEIR, M-BEIR-synth and a user's own collection in that layout alike.
 */
public record MbeirLayout(Path root) {

    public static final String TRAIN = "train";
    public static final String VAL = "val";
    public static final String TEST = "test";

    public Path instructions() {
        return root.resolve("instructions/query_instructions.tsv");
    }

    /** Per-dataset training queries. */
    public Path trainQueries(MbeirDataset dataset) {
        return root.resolve("query/train/mbeir_" + dataset.stem() + "_train.jsonl");
    }

    /** All training queries, as UniIR, LamRA and U-MARVEL train on them. */
    public Path unionTrainQueries() {
        return root.resolve("query/union_train/mbeir_union_up_train.jsonl");
    }

    public Path unionValQueries() {
        return root.resolve("query/union_val/mbeir_union_val.jsonl");
    }

    /** Evaluation queries of one task ("val" or "test"). */
    public Path queries(String split, EvalTask task) {
        return root.resolve("query/" + split + "/mbeir_" + task.name() + "_" + split + ".jsonl");
    }

    /** A task's local pool; MSCOCO alone has one pool per split. */
    public Path localPool(EvalTask task, String split) {
        if (task.dataset().equals(MbeirDataset.MSCOCO.stem())) {
            return root.resolve("cand_pool/local/mbeir_" + task.name() + "_" + split + "_cand_pool.jsonl");
        }
        return root.resolve("cand_pool/local/mbeir_" + task.name() + "_cand_pool.jsonl");
    }

    /** The union (global) pool of a split. */
    public Path unionPool(String split) {
        return root.resolve("cand_pool/global/mbeir_union_" + split + "_cand_pool.jsonl");
    }

    public Path qrels(String split, EvalTask task) {
        return root.resolve("qrels/" + split + "/mbeir_" + task.name() + "_" + split + "_qrels.txt");
    }

    /**
     * The evaluation tasks this directory has queries for in {@code split}: every query file
     * {@code query/<split>/mbeir_<dataset>_task<id>_<split>.jsonl}. M-BEIR's own come first in the paper's order with its
     * metrics (all 16 for M-BEIR itself); any other follows by name, its dataset id read from its first query's qid and
     * its modalities from the task id, reporting R@{@value EvalTask#DEFAULT_K}.
     */
    public List<EvalTask> tasks(String split) {
        List<EvalTask> out = new ArrayList<>(EvalTask.ALL.stream().filter(t -> Files.exists(queries(split, t))).toList());
        Path dir = root.resolve("query/" + split);
        if (!Files.isDirectory(dir)) {
            return out;
        }
        Pattern file = Pattern.compile("mbeir_([a-z0-9][a-z0-9_-]*)_task([0-9])_" + Pattern.quote(split) + "\\.jsonl");
        List<EvalTask> others = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = file.matcher(f.getFileName().toString());
                if (m.matches() && out.stream().noneMatch(t -> t.name().equals(m.group(1) + "_task" + m.group(2)))) {
                    firstDatasetId(f).ifPresent(id -> others.add(new EvalTask(m.group(1), id, Integer.parseInt(m.group(2)), EvalTask.DEFAULT_K)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        others.sort(Comparator.comparing(EvalTask::name));
        out.addAll(others);
        return out;
    }

    /** The task named {@code name} ("dataset_taskN") among this directory's tasks of {@code split}, or M-BEIR's. */
    public EvalTask task(String split, String name) {
        return tasks(split, List.of(name)).get(0);
    }

    /**
     * The tasks named {@code names}, each among this directory's tasks of {@code split} or M-BEIR's, in the order named;
     * every task of {@code split} when {@code names} is null or empty. The directory is read once.
     */
    public List<EvalTask> tasks(String split, List<String> names) {
        List<EvalTask> present = tasks(split);
        if (names == null || names.isEmpty()) {
            return present;
        }
        return names.stream().map(name -> Stream.concat(present.stream(), EvalTask.ALL.stream()).filter(t -> t.name().equals(name))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown task '" + name + "': " + root + " has " + split
                        + " queries for " + present.stream().map(EvalTask::name).toList()))).toList();
    }

    /** The dataset id of a query file's first query (empty for an empty file). */
    private static java.util.Optional<Integer> firstDatasetId(Path queries) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(queries, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    String qid = Json.MAPPER.readTree(line).path("qid").asText("");
                    try {
                        return java.util.Optional.of(MbeirDataset.idOf(qid));
                    } catch (IllegalArgumentException e) {
                        throw new MbeirFormatException(queries.toString(), 1, "qid '" + qid + "' is not of the form dataset_id:n");
                    }
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** An image path from a query or candidate line (relative to the root). */
    public Path image(String relativePath) {
        return root.resolve(relativePath);
    }

    /** Stage-1 text pairs of M-BEIR-synth. */
    public Path textPairs() {
        return root.resolve("pairs/text_pairs.jsonl");
    }

    /** Stage-2 caption-image pairs of M-BEIR-synth. */
    public Path captionImagePairs() {
        return root.resolve("pairs/caption_image_pairs.jsonl");
    }
}
