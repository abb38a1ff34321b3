package dev.umarvel.mbeir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The shared Jackson mapper and the field helpers the M-BEIR records use. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    /** A string field that may be null or absent; anything else but a string is an error. */
    static String optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' must be a string or null, got " + v.getNodeType());
        }
        return v.asText();
    }

    static String requiredText(JsonNode node, String field) {
        String v = optionalText(node, field);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("'" + field + "' is missing");
        }
        return v;
    }

    /** A list of strings (the did lists); absent or null means empty. */
    static List<String> textList(JsonNode node, String field) {
        JsonNode v = node.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException("'" + field + "' must be a list of did strings");
        }
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new IllegalArgumentException("'" + field + "' must hold did strings, got " + e.getNodeType());
            }
            out.add(e.asText());
        }
        return out;
    }

    static ArrayNode array(List<String> values) {
        ArrayNode a = MAPPER.createArrayNode();
        values.forEach(a::add);
        return a;
    }

    /** The fields of {@code node} not in {@code known}, kept so that a rewrite loses nothing. */
    static ObjectNode extras(JsonNode node, Set<String> known) {
        ObjectNode out = MAPPER.createObjectNode();
        node.fields().forEachRemaining(e -> {
            if (!known.contains(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }
}
