package dev.umarvel.model.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A Hugging Face tokenizer loaded from {@code tokenizer.json} through DJL, the same path a real
 * Qwen tokenizer takes, plus the ids of the special and answer tokens the model needs.
 * Thread-safe: the native tokenizer only reads its tables.
 */
public final class TextTokenizer implements AutoCloseable {

    /**
     * Texts whose ids are kept. A call into the native tokenizer costs ~40 us (one pinned core), and a service encodes
     * each text twice (its length when the request arrives, its ids in the batch), an embedder every item's instruction
     * and a reranker its query once per candidate: 100 calls, 3.2 ms, to size one 50-candidate request. Enough for a
     * full batcher queue (2,048 items) and every task's instruction.
     */
    static final int CACHED_TEXTS = 16_384;

    private final HuggingFaceTokenizer tokenizer;
    private final Cache<String, int[]> encoded = Caffeine.newBuilder().maximumSize(CACHED_TEXTS).build();
    private final Map<String, Integer> vocab;
    private final Path file;

    public final int pad;
    public final int unk;
    public final int bos;
    public final int eos;
    public final int image;
    public final int instructionStart;
    public final int instructionEnd;
    public final int emb;
    /** Id of the answer word "Yes" (after the normaliser, "yes"). */
    public final int yes;
    /** Id of the answer word "No". */
    public final int no;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> vocab, Path file) {
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.file = file;
        this.pad = required(SpecialTokens.PAD);
        this.unk = required(SpecialTokens.UNK);
        this.bos = required(SpecialTokens.BOS);
        this.eos = required(SpecialTokens.EOS);
        this.image = required(SpecialTokens.IMAGE);
        this.instructionStart = required(SpecialTokens.INSTRUCTION_START);
        this.instructionEnd = required(SpecialTokens.INSTRUCTION_END);
        this.emb = required(SpecialTokens.EMB);
        int[] yesIds = encode(Prompts.YES);
        int[] noIds = encode(Prompts.NO);
        if (yesIds.length != 1 || noIds.length != 1 || yesIds[0] == unk || noIds[0] == unk) {
            throw new IllegalArgumentException(file + ": the answer words Yes and No must each be one known token");
        }
        this.yes = yesIds[0];
        this.no = noIds[0];
    }

    /** Loads {@code tokenizer.json}; nothing is downloaded. */
    public static TextTokenizer load(Path tokenizerJson) throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(tokenizerJson, StandardCharsets.UTF_8)).getAsJsonObject();
        Map<String, Integer> vocab = new HashMap<>();
        root.getAsJsonObject("model").getAsJsonObject("vocab").entrySet()
                .forEach(e -> vocab.put(e.getKey(), e.getValue().getAsInt()));
        root.getAsJsonArray("added_tokens").forEach(t -> vocab.put(
                t.getAsJsonObject().get("content").getAsString(), t.getAsJsonObject().get("id").getAsInt()));
        // No special tokens are added and nothing is truncated or padded here: the sequence builder
        // lays out [instruction][image][text] itself and owns the token limit.
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        return new TextTokenizer(tokenizer, vocab, tokenizerJson);
    }

    /** Token ids of a text (no special tokens added). */
    public int[] encode(String text) {
        if (text == null || text.isEmpty()) {
            return new int[0];
        }
        return encoded.get(text, this::encodeNative).clone(); // a copy: callers may cut or fill what they get
    }

    private int[] encodeNative(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /** The text of token ids, special tokens included. */
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, false);
    }

    /** Tokens in the vocabulary. */
    public int vocabSize() {
        return vocab.size();
    }

    /** The file this tokenizer came from. */
    public Path file() {
        return file;
    }

    private int required(String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException(file + ": special token " + token + " is missing");
        }
        return id;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
