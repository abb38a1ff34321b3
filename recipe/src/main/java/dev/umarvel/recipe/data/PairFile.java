package dev.umarvel.recipe.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umarvel.mbeir.Jsonl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Stage-1/2 pair files: JSONL {"query": {"txt", "img_path"}, "pos": {"txt", "img_path"}}. */
public final class PairFile {

    /** A query side and its positive. */
    public record Pair(Side query, Side positive) {}

    private PairFile() {}

    public static List<Pair> read(Path file) throws IOException {
        try (Stream<Pair> lines = Jsonl.read(file, PairFile::parse)) {
            return lines.toList();
        }
    }

    private static Pair parse(JsonNode n) {
        Side q = side(n.get("query"), "query");
        Side p = side(n.get("pos"), "pos");
        return new Pair(q, p);
    }

    private static Side side(JsonNode n, String field) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("'" + field + "' must be an object with txt and/or img_path");
        }
        String txt = n.hasNonNull("txt") ? n.get("txt").asText() : null;
        String img = n.hasNonNull("img_path") ? n.get("img_path").asText() : null;
        if (txt == null && img == null) {
            throw new IllegalArgumentException("'" + field + "' has neither txt nor img_path");
        }
        return new Side(txt, img);
    }
}
