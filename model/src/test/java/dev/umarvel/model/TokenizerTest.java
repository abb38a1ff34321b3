package dev.umarvel.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.model.text.SpecialTokens;
import dev.umarvel.model.text.TextTokenizer;
import dev.umarvel.model.text.VocabularyBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

    @TempDir Path dir;

    @Test
    void specialTokensComeFirstAndAnswerWordsAreSingleTokens() throws Exception {
        try (TextTokenizer tok = Fixtures.tokenizer(dir)) {
            assertEquals(0, tok.pad);
            assertEquals(SpecialTokens.ALL.indexOf(SpecialTokens.INSTRUCTION_START), tok.instructionStart);
            assertEquals(SpecialTokens.ALL.indexOf(SpecialTokens.EMB), tok.emb);
            // the ids the reranker reads are the vocabulary's entries for the two words, as the file spells them
            com.google.gson.JsonObject vocab = com.google.gson.JsonParser.parseString(Files.readString(tok.file()))
                    .getAsJsonObject().getAsJsonObject("model").getAsJsonObject("vocab");
            assertEquals(vocab.get("yes").getAsInt(), tok.yes);
            assertEquals(vocab.get("no").getAsInt(), tok.no);
            assertEquals("yes", tok.decode(new int[] {tok.yes}));
            assertEquals("no", tok.decode(new int[] {tok.no}));
        }
    }

    @Test
    void aVocabularyWithoutTheAnswerWordsIsRefused() throws Exception {
        Path file;
        try (TextTokenizer tok = Fixtures.tokenizer(dir)) {
            file = tok.file();
        }
        com.google.gson.JsonObject root = com.google.gson.JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        root.getAsJsonObject("model").getAsJsonObject("vocab").remove("no");
        Path without = dir.resolve("without-no.json");
        Files.writeString(without, root.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextTokenizer.load(without).close());
        assertEquals(without + ": the answer words Yes and No must each be one known token", e.getMessage());
    }

    @Test
    void aTextEncodedAgainGetsItsOwnCopyOfTheIds() throws Exception {
        try (TextTokenizer tok = Fixtures.tokenizer(dir)) {
            int[] first = tok.encode("a red circle on the left");
            int[] expected = first.clone();
            Arrays.fill(first, tok.pad); // what a caller cutting or padding its ids in place does
            assertArrayEquals(expected, tok.encode("a red circle on the left"), "a kept encoding was changed through a caller's copy");
        }
    }

    @Test
    void encodesThroughTheHuggingFaceTokenizerJson() throws Exception {
        try (TextTokenizer tok = Fixtures.tokenizer(dir)) {
            int[] ids = tok.encode("A RED circle, on the left.");
            assertEquals(8, ids.length, "a red circle , on the left .");
            assertEquals("a red circle, on the left.", tok.decode(ids));
            // a word no training text holds is spelled in pieces, not unknown; a character outside the alphabet is
            int[] zebra = tok.encode("zebra");
            assertTrue(zebra.length > 1 && Arrays.stream(zebra).noneMatch(id -> id == tok.unk), Arrays.toString(zebra));
            assertEquals("zebra", tok.decode(zebra));
            assertArrayEquals(new int[] {tok.encode("a")[0], tok.unk}, tok.encode("a \u03b6"));
            assertArrayEquals(new int[0], tok.encode(""));
            // the JSON is a real Hugging Face file: WordPiece model, Lowercase normaliser, Whitespace pre-tokeniser
            String json = Files.readString(dir.resolve("tokenizer.json"), StandardCharsets.UTF_8);
            assertTrue(json.contains("\"type\": \"WordPiece\"") && json.contains("\"type\": \"Lowercase\""), json);
        }
    }

    @Test
    void aRareWordIsSpelledInTheFrequentPiecesOfOtherWords() throws Exception {
        // names made of syllables, each name rare (3 times), each syllable frequent (12 times at a word's start, 12 inside)
        List<String> syllables = List.of("kum", "zo", "bry", "dex", "nag"); // no letter shared, so no pair spans two
        VocabularyBuilder builder = new VocabularyBuilder();
        for (String first : syllables) {
            for (String second : syllables) {
                if (!first.equals(second)) {
                    builder.add(("the festival of " + first + second + " ").repeat(3));
                }
            }
        }
        Path file = dir.resolve("names.json");
        VocabularyBuilder.write(builder.vocabulary(1000, 10), file);
        try (TextTokenizer tok = TextTokenizer.load(file)) {
            assertEquals(List.of("kum", "##zo", "##bry"), pieces(tok, "kumzobry"), "a name never seen, spelled in syllables");
            assertEquals(List.of("dex", "##nag"), pieces(tok, "dexnag"), "a name seen 3 times is not a token of its own");
            assertEquals(List.of("festival"), pieces(tok, "festival"), "a frequent word is whole");
        }
    }

    private static List<String> pieces(TextTokenizer tok, String word) {
        List<String> out = new ArrayList<>();
        for (int id : tok.encode(word)) {
            out.add(tok.decode(new int[] {id})); // alone, a continuation piece keeps its ##
        }
        return out;
    }

    @Test
    void vocabularyIsOrderedByFrequencyAndBounded() throws Exception {
        VocabularyBuilder builder = new VocabularyBuilder().add("bb bb bb aa aa cc").add("bb aa");
        List<String> vocab = builder.vocabulary(1000, 1);
        int b = vocab.indexOf("bb");
        int a = vocab.indexOf("aa");
        int c = vocab.indexOf("cc");
        assertTrue(b > 0 && b < a && a < c, vocab.toString());
        List<String> small = builder.vocabulary(vocab.size() - 1, 1);
        assertTrue(!small.contains("cc") && small.contains("bb"));
        assertTrue(!builder.vocabulary(1000, 3).contains("cc"), "minPieceCount leaves rare words in pieces");
    }

    @Test
    void aTokenizerWithoutTheSpecialTokensIsRefused() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, """
                {"version": "1.0", "added_tokens": [], "normalizer": {"type": "Lowercase"},
                 "pre_tokenizer": {"type": "Whitespace"},
                 "model": {"type": "WordLevel", "vocab": {"<pad>": 0, "<unk>": 1, "yes": 2, "no": 3}, "unk_token": "<unk>"}}
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextTokenizer.load(file));
        assertTrue(e.getMessage().contains("<bos>"), e.getMessage());
    }
}
