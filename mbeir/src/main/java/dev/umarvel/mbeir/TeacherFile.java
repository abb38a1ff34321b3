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

    /** One scored candidate. */
    public record Scored(String did, float recall, float rerank, float teacher) {}

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
