package dev.umarvel.model.text;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a word-level vocabulary from a text corpus and writes it as a Hugging Face
 * {@code tokenizer.json} (lower-casing normaliser, whitespace pre-tokeniser, WordLevel model), the
 * format {@link TextTokenizer} loads through DJL exactly as it would load a real model's tokenizer.
 */
public final class VocabularyBuilder {

    /** The Hugging Face "Whitespace" pre-tokeniser's split: runs of word characters or of other non-spaces. */
    static final Pattern WORDS = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

    private final Map<String, Integer> counts = new HashMap<>();

    /** Counts the words of one text. */
    public VocabularyBuilder add(String text) {
        Matcher m = WORDS.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            counts.merge(m.group(), 1, Integer::sum);
        }
        return this;
    }

    /**
     * The vocabulary: special tokens, then every prompt word, then corpus words seen at least
     * {@code minCount} times by falling frequency (ties alphabetical), up to {@code maxSize} entries.
     */
    public List<String> vocabulary(int maxSize, int minCount) {
        LinkedHashMap<String, Integer> vocab = new LinkedHashMap<>();
        SpecialTokens.ALL.forEach(t -> vocab.putIfAbsent(t, vocab.size()));
        for (String prompt : Prompts.all()) {
            Matcher m = WORDS.matcher(prompt.toLowerCase(Locale.ROOT));
            while (m.find()) {
                vocab.putIfAbsent(m.group(), vocab.size());
            }
        }
        counts.entrySet().stream().filter(e -> e.getValue() >= minCount)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> {
                    if (vocab.size() < maxSize) {
                        vocab.putIfAbsent(e.getKey(), vocab.size());
                    }
                });
        return new ArrayList<>(vocab.keySet());
    }

    /** Writes {@code tokenizer.json} for the vocabulary, atomically. */
    public static void write(List<String> vocabulary, Path file) throws IOException {
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        for (int id = 0; id < SpecialTokens.ALL.size(); id++) {
            JsonObject t = new JsonObject();
            t.addProperty("id", id);
            t.addProperty("content", SpecialTokens.ALL.get(id));
            t.addProperty("single_word", false);
            t.addProperty("lstrip", false);
            t.addProperty("rstrip", false);
            t.addProperty("normalized", false);
            t.addProperty("special", true);
            added.add(t);
        }
        root.add("added_tokens", added);
        JsonObject normalizer = new JsonObject();
        normalizer.addProperty("type", "Lowercase");
        root.add("normalizer", normalizer);
        JsonObject preTokenizer = new JsonObject();
        preTokenizer.addProperty("type", "Whitespace");
        root.add("pre_tokenizer", preTokenizer);
        root.add("post_processor", JsonNull.INSTANCE);
        root.add("decoder", JsonNull.INSTANCE);
        JsonObject model = new JsonObject();
        model.addProperty("type", "WordLevel");
        JsonObject vocab = new JsonObject();
        for (int id = 0; id < vocabulary.size(); id++) {
            vocab.addProperty(vocabulary.get(id), id);
        }
        model.add("vocab", vocab);
        model.addProperty("unk_token", SpecialTokens.UNK);
        root.add("model", model);

        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root),
                StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
