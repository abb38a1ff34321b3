package dev.umarvel.model.text;

import com.google.gson.JsonObject;
import java.util.List;

/** The special tokens, with fixed ids at the start of every vocabulary. */
public final class SpecialTokens {

    private SpecialTokens() {}

    public static final String PAD = "<pad>";
    public static final String UNK = "<unk>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";
    public static final String IMAGE = "<image>";
    public static final String INSTRUCTION_START = "<instruction_start>";
    public static final String INSTRUCTION_END = "<instruction_end>";
    public static final String EMB = "<emb>";

    /** In id order: PAD is 0, UNK 1, and so on. */
    public static final List<String> ALL = List.of(PAD, UNK, BOS, EOS, IMAGE, INSTRUCTION_START, INSTRUCTION_END, EMB);

    /** A tokenizer.json {@code added_tokens} entry: a special token, matched as a whole and never normalised. */
    public static JsonObject addedToken(int id, String content) {
        JsonObject t = new JsonObject();
        t.addProperty("id", id);
        t.addProperty("content", content);
        t.addProperty("single_word", false);
        t.addProperty("lstrip", false);
        t.addProperty("rstrip", false);
        t.addProperty("normalized", false);
        t.addProperty("special", true);
        return t;
    }
}
