package dev.umarvel.mbeir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset of a user's own in the M-BEIR layout, with ids and task names no code of ours knows: a glossary (dataset
 * id 42) whose definitions are retrieved by their term ("glossary_task1", text -> text). Test queries only, no val
 * split, a union training file and pool; written the way a person would, by hand, with no importer of ours.
 */
public final class OwnDataset {

    public static final int ID = 42;
    public static final String TASK = "glossary_task1";

    static final String[] TERMS = {"anchor", "beacon", "candle", "dagger", "ember", "falcon", "garnet", "harbor", "island", "jasmine",
        "kettle", "lantern", "meadow", "nectar", "orchard", "pebble", "quartz", "raven", "saddle", "thistle"};

    private OwnDataset() {
    }

    static String definition(int i) {
        return "A " + TERMS[i] + " is the word for thing number " + i + " in this glossary.";
    }

    static String query(String qid, String text, String positive) {
        return Json.MAPPER.createObjectNode().put("qid", qid).put("query_txt", text).putNull("query_img_path").put("query_modality", "text")
                .putNull("query_src_content").<com.fasterxml.jackson.databind.node.ObjectNode>set("pos_cand_list",
                        Json.MAPPER.createArrayNode().add(positive)).<com.fasterxml.jackson.databind.node.ObjectNode>set("neg_cand_list",
                        Json.MAPPER.createArrayNode()).put("task_id", 1).toString();
    }

    static String candidate(String did, String text) {
        return Json.MAPPER.createObjectNode().put("txt", text).putNull("img_path").put("modality", "text").put("did", did)
                .putNull("src_content").toString();
    }

    /** Writes the dataset under {@code root} and returns it. */
    public static Path write(Path root) throws IOException {
        List<String> testPool = new ArrayList<>();
        List<String> testQueries = new ArrayList<>();
        List<String> qrels = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            testPool.add(candidate(ID + ":" + i, definition(i)));
            testQueries.add(query(ID + ":" + (100 + i), "What does " + TERMS[i] + " mean?", ID + ":" + i));
            qrels.add(ID + ":" + (100 + i) + " 0 " + ID + ":" + i + " 1 1");
        }
        List<String> trainPool = new ArrayList<>();
        List<String> trainQueries = new ArrayList<>();
        for (int i = 10; i < TERMS.length; i++) {
            trainPool.add(candidate(ID + ":" + i, definition(i)));
            trainQueries.add(query(ID + ":" + (100 + i), "What does " + TERMS[i] + " mean?", ID + ":" + i));
        }
        write(root.resolve("query/test/mbeir_" + TASK + "_test.jsonl"), testQueries);
        write(root.resolve("qrels/test/mbeir_" + TASK + "_test_qrels.txt"), qrels);
        write(root.resolve("cand_pool/local/mbeir_" + TASK + "_cand_pool.jsonl"), testPool);
        write(root.resolve("cand_pool/global/mbeir_union_test_cand_pool.jsonl"), testPool);
        write(root.resolve("query/union_train/mbeir_union_up_train.jsonl"), trainQueries);
        write(root.resolve("cand_pool/global/mbeir_union_train_cand_pool.jsonl"), trainPool);
        write(root.resolve("instructions/query_instructions.tsv"), List.of(
                "query_modality\tcand_modality\tdataset_name\tdataset_id\tprompt_1\tprompt_2",
                "text\ttext\tGlossary\t" + ID + "\tFind the definition of this term.\tRetrieve what this word means."));
        return root;
    }

    private static void write(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
    }
}
