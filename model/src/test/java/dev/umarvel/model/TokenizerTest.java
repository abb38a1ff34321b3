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
            assertEquals(tok.encode("Yes")[0], tok.yes);
            assertEquals(tok.encode("no")[0], tok.no);
            assertTrue(tok.yes != tok.no);
        }
    }

    @Test
    void encodesThroughTheHuggingFaceTokenizerJson() throws Exception {
        try (TextTokenizer tok = Fixtures.tokenizer(dir)) {
            int[] ids = tok.encode("A RED circle, on the left.");
            assertEquals(8, ids.length, "a red circle , on the left .");
            assertEquals("a red circle , on the left .", tok.decode(ids));
            int[] unknown = tok.encode("a zebra");
            assertEquals(tok.unk, unknown[1]);
            assertArrayEquals(new int[0], tok.encode(""));
            // the JSON is a real Hugging Face file: WordLevel model, Lowercase normaliser, Whitespace pre-tokeniser
            String json = Files.readString(dir.resolve("tokenizer.json"), StandardCharsets.UTF_8);
            assertTrue(json.contains("\"type\": \"WordLevel\"") && json.contains("\"type\": \"Lowercase\""), json);
        }
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
        assertTrue(!builder.vocabulary(1000, 3).contains("cc"), "minCount drops rare words");
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
