package dev.umarvel.recipe.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umarvel.mbeir.Json;
import dev.umarvel.mbeir.Jsonl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The file MINE_HARD_NEGATIVES writes and HARD_NEGATIVE and RERANKER read (format in trainer.proto):
 * per training query its positives, its top-n retrieved candidates with scores, the k hard negatives
 * kept, and the candidates dropped as likely false negatives.
 */
public final class HardNegativeFile {

    /** One query's line. */
    public record Entry(String qid, List<String> gtDocs, List<String> topDocs, List<Float> topScores, List<String> hardNegatives,
            List<String> filteredFalseNegatives) {

        ObjectNode toJson() {
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("qid", qid);
            o.set("gt_docs", strings(gtDocs));
            o.set("top_docs", strings(topDocs));
            ArrayNode scores = o.putArray("top_scores");
            topScores.forEach(scores::add);
            o.set("hard_negatives", strings(hardNegatives));
            o.set("filtered_false_negatives", strings(filteredFalseNegatives));
            return o;
        }

        static Entry fromJson(JsonNode n) {
            List<Float> scores = new ArrayList<>();
            n.path("top_scores").forEach(s -> scores.add((float) s.asDouble()));
            return new Entry(n.path("qid").asText(), list(n, "gt_docs"), list(n, "top_docs"), scores, list(n, "hard_negatives"),
                    list(n, "filtered_false_negatives"));
        }
    }

    private HardNegativeFile() {}

    public static void write(Path file, List<Entry> entries) throws IOException {
        Jsonl.write(file, entries, Entry::toJson);
    }

    /** Entries by qid. */
    public static Map<String, Entry> read(Path file) throws IOException {
        try (Stream<Entry> lines = Jsonl.read(file, n -> {
            if (!n.hasNonNull("qid")) {
                throw new IllegalArgumentException("'qid' is missing");
            }
            return Entry.fromJson(n);
        })) {
            return lines.collect(Collectors.toMap(Entry::qid, e -> e, (a, b) -> b));
        }
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        values.forEach(a::add);
        return a;
    }

    private static List<String> list(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        n.path(field).forEach(v -> out.add(v.asText()));
        return out;
    }
}
