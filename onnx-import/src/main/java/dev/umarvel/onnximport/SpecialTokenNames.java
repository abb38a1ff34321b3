package dev.umarvel.onnximport;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.umarvel.model.text.SpecialTokens;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A BERT tokenizer.json with our special tokens: BERT's own ones renamed ([PAD] is {@code <pad>}, [CLS] {@code <bos>},
 * [SEP] {@code <eos>}), and the tokens our sequences need beyond them ({@code <image>}, the instruction markers,
 * {@code <emb>}) on BERT's first unused ids. Ids do not move, so the imported embedding rows stay where the weights put
 * them. Padding, truncation and the [CLS] ... [SEP] template go: our sequence builder lays sequences out itself.
 */
final class SpecialTokenNames {

    private SpecialTokenNames() {}

    /** BERT's name -> ours. */
    static final Map<String, String> RENAMED = renamed();

    private static Map<String, String> renamed() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("[PAD]", SpecialTokens.PAD);
        m.put("[UNK]", SpecialTokens.UNK);
        m.put("[CLS]", SpecialTokens.BOS);
        m.put("[SEP]", SpecialTokens.EOS);
        m.put("[unused0]", SpecialTokens.IMAGE);
        m.put("[unused1]", SpecialTokens.INSTRUCTION_START);
        m.put("[unused2]", SpecialTokens.INSTRUCTION_END);
        m.put("[unused3]", SpecialTokens.EMB);
        return m;
    }

    static String rename(String tokenizerJson) {
        JsonObject root = JsonParser.parseString(tokenizerJson).getAsJsonObject();
        JsonObject model = root.getAsJsonObject("model");
        if (model == null || !"WordPiece".equals(model.get("type").getAsString())) {
            throw new IllegalArgumentException("tokenizer.json: a BERT-family tokenizer has a WordPiece model, got "
                    + (model == null ? "none" : model.get("type")));
        }
        JsonObject vocab = model.getAsJsonObject("vocab");
        JsonObject renamedVocab = new JsonObject();
        for (Map.Entry<String, JsonElement> e : vocab.entrySet()) {
            renamedVocab.add(RENAMED.getOrDefault(e.getKey(), e.getKey()), e.getValue());
        }
        for (String bert : RENAMED.keySet()) {
            if (!vocab.has(bert)) {
                throw new IllegalArgumentException("tokenizer.json: the vocabulary has no " + bert);
            }
        }
        model.add("vocab", renamedVocab);
        model.addProperty("unk_token", SpecialTokens.UNK);

        var added = new com.google.gson.JsonArray();
        for (Map.Entry<String, String> e : RENAMED.entrySet()) {
            added.add(SpecialTokens.addedToken(vocab.get(e.getKey()).getAsInt(), e.getValue()));
        }
        for (JsonElement t : root.getAsJsonArray("added_tokens")) {
            if (!RENAMED.containsKey(t.getAsJsonObject().get("content").getAsString())) {
                added.add(t); // [MASK]
            }
        }
        root.add("added_tokens", added);
        root.add("post_processor", JsonNull.INSTANCE);
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        return new GsonBuilder().serializeNulls().disableHtmlEscaping().create().toJson(root);
    }
}
