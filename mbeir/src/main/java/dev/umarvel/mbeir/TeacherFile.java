package dev.umarvel.mbeir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Teacher scores for distillation (format in trainer.proto): per sampled training query, the
 * retriever's candidate list in recall order with recall, rerank and fused teacher scores.
 */
public final class TeacherFile {

    /**
     * The teacher weight w in cos + w * P(Yes) unless a request names one: measured on the small quickstart's models, with the
     * same lists and steps, 0.1 (the cascade's own fusion weight) kept the student's validation recall where it was, where the
     * paper's teacher lost 3.6 / 5.1 points and 1.0 without the halving 2.7 / 3.8 (docs/training.md, "Distillation's teacher").
     * The paper's, 1.0 with mscoco_task0 0.5 and mscoco_task3 0.1, stay what a request may name.
     */
    public static final double DEFAULT_WEIGHT = 0.1;

    /** One scored candidate. */
    public record Scored(String did, float recall, float rerank, float teacher) {

        /**
         * A candidate scored by the cascade: recall cosine {@code cos}, the reranker's {@code pYes}, and as teacher the score the
         * cascade ranks by, cos + w * P(Yes). Not the paper's (cos + w * P(Yes)) / 2: that ranks alike, but at the student's
         * temperature it is a teacher twice as flat as the student, so where the reranker adds nothing (w = 0, or a P(Yes)
         * that does not vary) it still asks the student to halve its own logits.
         */
        public static Scored fused(String did, float cos, float pYes, double w) {
            return new Scored(did, cos, pYes, (float) cascadeScore(cos, pYes, w));
        }

        /**
         * The score a cascade ranks by, cos + w * P(Yes), and the one definition of it (the orchestrator's fusion, the
         * trainer's cascade evaluation, the teacher above). An infinite w is the reranker's order alone: P(Yes), ties left to
         * the retriever's order by a stable sort; cos + inf * P(Yes) would be infinite for every candidate, NaN where P(Yes)
         * is 0.
         */
        public static double cascadeScore(double cos, double pYes, double w) {
            return Double.isInfinite(w) ? pYes : cos + w * pYes;
        }
    }

    /** One query's line. */
    public record Entry(String qid, String task, String instruction, String queryTxt, String queryImgPath, List<Scored> candidates) {

        public ObjectNode toJson() {
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("qid", qid);
            o.put("task", task);
            o.put("instruction", instruction);
            o.put("query_txt", queryTxt);
            o.put("query_img_path", queryImgPath);
            ArrayNode cs = o.putArray("candidates");
            for (Scored c : candidates) {
                cs.addObject().put("did", c.did()).put("recall", c.recall()).put("rerank", c.rerank()).put("teacher", c.teacher());
            }
            return o;
        }

        public static Entry fromJson(JsonNode n) {
            if (!n.hasNonNull("qid") || !n.path("candidates").isArray() || n.path("candidates").isEmpty()) {
                throw new IllegalArgumentException("a teacher line needs 'qid' and a non-empty 'candidates' list");
            }
            List<Scored> cs = new ArrayList<>();
            for (JsonNode c : n.get("candidates")) {
                if (!c.hasNonNull("did") || !c.has("teacher")) {
                    throw new IllegalArgumentException("every candidate needs 'did' and 'teacher'");
                }
                cs.add(new Scored(c.get("did").asText(), (float) c.path("recall").asDouble(), (float) c.path("rerank").asDouble(),
                        (float) c.get("teacher").asDouble()));
            }
            return new Entry(n.get("qid").asText(), n.path("task").asText(""), n.path("instruction").asText(""),
                    n.hasNonNull("query_txt") ? n.get("query_txt").asText() : null,
                    n.hasNonNull("query_img_path") ? n.get("query_img_path").asText() : null, cs);
        }
    }

    private TeacherFile() {}

    public static void write(Path file, List<Entry> entries) throws IOException {
        Jsonl.write(file, entries, Entry::toJson);
    }

    public static List<Entry> read(Path file) throws IOException {
        try (Stream<Entry> lines = Jsonl.read(file, Entry::fromJson)) {
            return lines.toList();
        }
    }
}
