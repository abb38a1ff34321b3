package dev.umarvel.onnximport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.umarvel.model.text.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An imported BERT tokenizer speaks our special tokens on BERT's ids, and tokenises text as before. */
class SpecialTokenNamesTest {

    @TempDir
    Path dir;

    /** A miniature of BERT's uncased WordPiece tokenizer.json, ids laid out as BERT's are. */
    private static String bert(String model, String vocabExtra) {
        return """
                {"version": "1.0", "truncation": {"max_length": 128}, "padding": {"strategy": {"Fixed": 128}},
                 "added_tokens": [
                  {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                  {"id": 5, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                  {"id": 6, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                  {"id": 7, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                  {"id": 8, "content": "[MASK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
                 "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                   {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}], "pair": [],
                   "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [6], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [7], "tokens": ["[SEP]"]}}},
                 "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
                 "model": {"type": "%s", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                   "vocab": {"[PAD]": 0, "[unused0]": 1, "[unused1]": 2, "[unused2]": 3, %s "[UNK]": 5, "[CLS]": 6, "[SEP]": 7,
                     "[MASK]": 8, "yes": 9, "no": 10, "a": 11, "red": 12, "circle": 13, "##s": 14}}}
                """.formatted(model, vocabExtra);
    }

    @Test
    void ourSpecialTokensTakeBertsIdsAndTextTokenisesAsBefore() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, SpecialTokenNames.rename(bert("WordPiece", "\"[unused3]\": 4,")));
        try (TextTokenizer t = TextTokenizer.load(file)) {
            assertArrayEquals(new int[] {0, 5, 6, 7, 1, 2, 3, 4},
                    new int[] {t.pad, t.unk, t.bos, t.eos, t.image, t.instructionStart, t.instructionEnd, t.emb});
            assertArrayEquals(new int[] {9, 10}, new int[] {t.yes, t.no});
            assertArrayEquals(new int[] {11, 12, 13, 14}, t.encode("A Red circles"));
            assertArrayEquals(new int[] {11, 1, 5}, t.encode("a <image> blue"), "<image> is one special token; unknown words are <unk>");
            assertEquals(15, t.vocabSize());
        }
    }

    @Test
    void aTokenizerThatIsNotWordPieceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpecialTokenNames.rename(bert("BPE", "\"[unused3]\": 4,")));
        assertEquals("tokenizer.json: a BERT-family tokenizer has a WordPiece model, got \"BPE\"", e.getMessage());
    }

    @Test
    void aVocabularyWithoutTheUnusedIdsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpecialTokenNames.rename(bert("WordPiece", "")));
        assertEquals("tokenizer.json: the vocabulary has no [unused3]", e.getMessage());
    }
}
