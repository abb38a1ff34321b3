package dev.umarvel.mbeir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;

/**
 * One line of an M-BEIR query file.
 *
 * @param qid "dataset_id:n"
 * @param queryTxt text or null
 * @param queryImgPath image path relative to the M-BEIR root, or null
 * @param queryModality the query's modality
 * @param querySrcContent the source dataset's extras (a JSON string) or null
 * @param posCandList positive dids
 * @param negCandList negative dids (may be empty)
 * @param taskId the task id, or null when the file has none
 * @param extras fields this class does not know, kept verbatim
 */
public record MbeirQuery(String qid, String queryTxt, String queryImgPath, Modality queryModality, String querySrcContent,
        List<String> posCandList, List<String> negCandList, Integer taskId, ObjectNode extras) {

    private static final Set<String> KNOWN = Set.of("qid", "query_txt", "query_img_path", "query_modality",
            "query_src_content", "pos_cand_list", "neg_cand_list", "task_id");

    public MbeirQuery {
        posCandList = List.copyOf(posCandList);
        negCandList = List.copyOf(negCandList);
        extras = extras == null ? Json.MAPPER.createObjectNode() : extras;
    }

    /** Parses one JSON object; errors name the field at fault. */
    public static MbeirQuery fromJson(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("a query line must be a JSON object");
        }
        String qid = Json.requiredText(node, "qid");
        MbeirDataset.idOf(qid);
        String txt = Json.optionalText(node, "query_txt");
        String img = Json.optionalText(node, "query_img_path");
        Modality modality = Modality.parse(Json.requiredText(node, "query_modality"));
        if (modality.hasText() && (txt == null || txt.isBlank())) {
            throw new IllegalArgumentException("query_modality is '" + modality.wire() + "' but query_txt is empty");
        }
        if (modality.hasImage() && (img == null || img.isBlank())) {
            throw new IllegalArgumentException("query_modality is '" + modality.wire() + "' but query_img_path is empty");
        }
        JsonNode task = node.get("task_id");
        if (task != null && !task.isNull() && !task.canConvertToInt()) {
            throw new IllegalArgumentException("'task_id' must be an integer");
        }
        return new MbeirQuery(qid, txt, img, modality, Json.optionalText(node, "query_src_content"),
                Json.textList(node, "pos_cand_list"), Json.textList(node, "neg_cand_list"),
                task == null || task.isNull() ? null : task.asInt(), Json.extras(node, KNOWN));
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("qid", qid);
        o.put("query_txt", queryTxt);
        o.put("query_img_path", queryImgPath);
        o.put("query_modality", queryModality.wire());
        o.put("query_src_content", querySrcContent);
        o.set("pos_cand_list", Json.array(posCandList));
        o.set("neg_cand_list", Json.array(negCandList));
        if (taskId != null) {
            o.put("task_id", taskId);
        }
        o.setAll(extras);
        return o;
    }

    public int datasetId() {
        return MbeirDataset.idOf(qid);
    }
}
