package dev.umarvel.mbeir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where each file of an M-BEIR directory lives (the layout of the Hugging Face M-BEIR release),
 * so the platform reads the real M-BEIR and M-BEIR-synth alike.
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
        if (task.dataset() == MbeirDataset.MSCOCO) {
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

    /** The evaluation tasks this directory has queries for in {@code split} (all 16 for M-BEIR itself). */
    public List<EvalTask> tasks(String split) {
        return EvalTask.ALL.stream().filter(t -> Files.exists(queries(split, t))).toList();
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
