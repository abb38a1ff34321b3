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
 * Learns a word-piece vocabulary from a text corpus and writes it as a Hugging Face
 * {@code tokenizer.json} (lower-casing normaliser, whitespace pre-tokeniser, WordPiece model with
 * {@code ##} continuation pieces), the format {@link TextTokenizer} loads through DJL exactly as it
 * would load BERT's.
 *
 * <p>Why pieces and not whole words: a rare word (a name, a year) as a token of its own gets an
 * embedding that a few training batches barely move, so a model learned from scratch cannot match
 * it: on M-BEIR-synth small, question-to-passage retrieval by entity name sat at chance (1.2 R@5
 * where BM25 reaches 100) and the passages' embeddings had a mean cosine of 0.997. Spelled in
 * frequent pieces ("kusvibo" as kus ##vi ##bo), the same name is made of tokens every batch
 * trains, and a word no training text holds is spelled instead of unknown.
 *
 * <p>The pieces are chosen as Hugging Face's WordPiece trainer chooses them: byte-pair merges over
 * the corpus's words (each character after a word's first carries the {@code ##} prefix), the most
 * frequent adjacent pair first, while the pair is seen often enough. Frequent words end up whole.
 */
public final class VocabularyBuilder {

    /** The Hugging Face "Whitespace" pre-tokeniser's split: runs of word characters or of other non-spaces. */
    static final Pattern WORDS = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

    /** Marks a piece that continues a word (BERT's convention). */
    public static final String CONTINUATION = "##";

    /**
     * A merge must be seen at least this often: below it a piece is as rare as the words it was meant
     * to spell (measured on synth tiny: 10 keeps names in syllables, 1 merges every name whole).
     */
    public static final int MIN_PIECE_COUNT = 10;

    /**
     * ... and at least this share of the corpus's word occurrences, so a large corpus does not make
     * a piece of every rare word (synth small: 1.5 M words, merges seen 154 times or more, 562 tokens;
     * its entity names are spelled in their syllables, every shape and colour word is whole).
     */
    public static final double MIN_PIECE_SHARE = 1e-4;

    /** Letters and digits always in the vocabulary, both as a word's start and as a continuation. */
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final Map<String, Integer> counts = new HashMap<>();
    private long occurrences;

    /** Counts the words of one text. */
    public VocabularyBuilder add(String text) {
        Matcher m = WORDS.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            counts.merge(m.group(), 1, Integer::sum);
            occurrences++;
        }
        return this;
    }

    /** The vocabulary with the default merge threshold: {@link #MIN_PIECE_COUNT}, {@link #MIN_PIECE_SHARE}. */
    public List<String> vocabulary(int maxSize) {
        return vocabulary(maxSize, (int) Math.max(MIN_PIECE_COUNT, Math.ceil(occurrences * MIN_PIECE_SHARE)));
    }

    /**
     * The vocabulary: special tokens, every prompt word whole, every character of the corpus and of
     * {@link #ALPHABET} (as a start and as a continuation), then merged pieces in merge order while a
     * pair is seen at least {@code minPieceCount} times, up to {@code maxSize} entries.
     */
    public List<String> vocabulary(int maxSize, int minPieceCount) {
        LinkedHashMap<String, Integer> vocab = new LinkedHashMap<>();
        SpecialTokens.ALL.forEach(t -> vocab.putIfAbsent(t, vocab.size()));
        for (String prompt : Prompts.all()) {
            Matcher m = WORDS.matcher(prompt.toLowerCase(Locale.ROOT));
            while (m.find()) {
                vocab.putIfAbsent(m.group(), vocab.size());
            }
        }
        List<String> characters = new ArrayList<>();
        ALPHABET.codePoints().forEach(c -> characters.add(Character.toString(c)));
        counts.keySet().stream().sorted().forEach(w -> w.codePoints().forEach(c -> characters.add(Character.toString(c))));
        for (String c : characters) {
            vocab.putIfAbsent(c, vocab.size());
            vocab.putIfAbsent(CONTINUATION + c, vocab.size());
        }
        for (String piece : new PieceMerges(counts).run(minPieceCount)) {
            if (vocab.size() >= maxSize) {
                break;
            }
            vocab.putIfAbsent(piece, vocab.size());
        }
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
            added.add(SpecialTokens.addedToken(id, SpecialTokens.ALL.get(id)));
        }
        root.add("added_tokens", added);
        JsonObject normalizer = new JsonObject();
        normalizer.addProperty("type", "Lowercase");
        root.add("normalizer", normalizer);
        JsonObject preTokenizer = new JsonObject();
        preTokenizer.addProperty("type", "Whitespace");
        root.add("pre_tokenizer", preTokenizer);
        root.add("post_processor", JsonNull.INSTANCE);
        JsonObject decoder = new JsonObject();
        decoder.addProperty("type", "WordPiece");
        decoder.addProperty("prefix", CONTINUATION);
        decoder.addProperty("cleanup", true);
        root.add("decoder", decoder);
        JsonObject model = new JsonObject();
        model.addProperty("type", "WordPiece");
        model.addProperty("unk_token", SpecialTokens.UNK);
        model.addProperty("continuing_subword_prefix", CONTINUATION);
        model.addProperty("max_input_chars_per_word", 100);
        JsonObject vocab = new JsonObject();
        for (int id = 0; id < vocabulary.size(); id++) {
            vocab.addProperty(vocabulary.get(id), id);
        }
        model.add("vocab", vocab);
        root.add("model", model);

        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root),
                StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
