package dev.umarvel.mbeir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * One line of an M-BEIR candidate pool.
 *
 * @param did "dataset_id:n"
 * @param txt text or null
 * @param imgPath image path relative to the M-BEIR root, or null
 * @param modality the candidate's modality
 * @param srcContent the source dataset's extras (a JSON string) or null
 * @param extras fields this class does not know, kept verbatim
 */
public record MbeirCandidate(String did, String txt, String imgPath, Modality modality, String srcContent, ObjectNode extras) {

    private static final Set<String> KNOWN = Set.of("did", "txt", "img_path", "modality", "src_content");

    public MbeirCandidate {
        extras = extras == null ? Json.MAPPER.createObjectNode() : extras;
    }

    public static MbeirCandidate fromJson(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("a candidate line must be a JSON object");
        }
        String did = Json.requiredText(node, "did");
        MbeirDataset.idOf(did);
        String txt = Json.optionalText(node, "txt");
        String img = Json.optionalText(node, "img_path");
        Modality modality = Modality.parse(Json.requiredText(node, "modality"));
        if (modality.hasText() && (txt == null || txt.isBlank())) {
            throw new IllegalArgumentException("modality is '" + modality.wire() + "' but txt is empty");
        }
        if (modality.hasImage() && (img == null || img.isBlank())) {
            throw new IllegalArgumentException("modality is '" + modality.wire() + "' but img_path is empty");
        }
        return new MbeirCandidate(did, txt, img, modality, Json.optionalText(node, "src_content"), Json.extras(node, KNOWN));
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("txt", txt);
        o.put("img_path", imgPath);
        o.put("modality", modality.wire());
        o.put("did", did);
        o.put("src_content", srcContent);
        o.setAll(extras);
        return o;
    }

    public int datasetId() {
        return MbeirDataset.idOf(did);
    }
}
