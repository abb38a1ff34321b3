package dev.umarvel.mbeir;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One line of the stage-1/2 pair files ({@code pairs/text_pairs.jsonl}, {@code pairs/caption_image_pairs.jsonl}):
 * {@code {"query": {"txt", "img_path"}, "pos": {"txt", "img_path"}}}, either side text, image or both.
 */
public final class TrainingPairs {

    private TrainingPairs() {}

    public static ObjectNode pair(String queryText, String queryImage, String positiveText, String positiveImage) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.putObject("query").put("txt", queryText).put("img_path", queryImage);
        o.putObject("pos").put("txt", positiveText).put("img_path", positiveImage);
        return o;
    }
}
