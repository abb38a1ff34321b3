package dev.umarvel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.model.text.TextTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceBuilderTest {

    @TempDir Path dir;
    private TextTokenizer tok;
    private SequenceBuilder builder;
    private final ModelConfig config = ModelConfig.tiny();

    @BeforeEach
    void setUp() throws Exception {
        tok = Fixtures.tokenizer(dir);
        builder = new SequenceBuilder(tok, config.withVocabSize(tok.vocabSize()));
    }

    @AfterEach
    void tearDown() {
        tok.close();
    }

    @Test
    void queryLayoutIsInstructionThenImageThenText() throws Exception {
        SequenceBatch b = builder.embedding(List.of(Item.query("find the item", "a red star", Fixtures.image(16, 1)),
                Item.candidate("a star", null)), false);
        long[] row = Arrays.copyOf(b.tokens(), b.time());
        int[] find = tok.encode("find the item");
        int[] text = tok.encode("a red star");
        assertEquals(tok.bos, row[0]);
        assertEquals(tok.instructionStart, row[1]);
        assertEquals(find[0], row[2]);
        assertEquals(tok.instructionEnd, row[2 + find.length]);
        for (int p = 0; p < 4; p++) {
            assertEquals(tok.image, row[3 + find.length + p]);
            assertEquals(1 + p, b.imageIndex()[3 + find.length + p], "patch rows of the first image");
        }
        assertEquals(text[0], row[7 + find.length]);
        assertEquals(1 + 1 + find.length + 1 + 4 + text.length, b.lengths()[0]);
        // the candidate row is padded to the query's length and pooled over its own tokens only
        assertEquals(tok.pad, b.tokens()[b.time() + b.lengths()[1]]);
        assertEquals(1f / b.lengths()[1], b.readout()[b.time()], 1e-7f);
        assertEquals(0f, b.readout()[b.time() + b.lengths()[1]]);
        assertEquals(1, b.images());
    }

    @Test
    void anImportedBertsSequencesCloseWithItsSeparatorInsideThePool() throws Exception {
        SequenceBuilder bert = new SequenceBuilder(tok, config.withVocabSize(tok.vocabSize()).withLayout(ModelConfig.Layout.BERT));
        SequenceBatch b = bert.embedding(List.of(Item.query("find the item", "a star", null)), false);
        int[] find = tok.encode("find the item");
        int[] text = tok.encode("a star");
        int length = 1 + 1 + find.length + 1 + text.length + 1;
        assertEquals(length, b.lengths()[0]);
        assertEquals(tok.eos, b.tokens()[length - 1], "[CLS] instruction text [SEP], as BERT was trained");
        assertEquals(1f / (1 + text.length + 1), b.readout()[length - 1], 1e-7f, "<bos>, the text and <eos> are pooled");
        String longText = String.join(" ", java.util.Collections.nCopies(200, "red"));
        SequenceBatch cut = bert.embedding(List.of(Item.candidate(longText, null)), true);
        assertEquals(config.maxTokens(), cut.lengths()[0]);
        assertEquals(tok.eos, cut.tokens()[config.maxTokens() - 1], "a cut text still closes");
    }

    @Test
    void overLongTextIsCutAndFlaggedOrRefused() throws Exception {
        String longText = String.join(" ", java.util.Collections.nCopies(200, "red"));
        SequenceBatch b = builder.embedding(List.of(Item.candidate("a star", null), Item.candidate(longText, null)), true);
        assertEquals(config.maxTokens(), b.lengths()[1]);
        assertTrue(b.truncated()[1]);
        assertFalse(b.truncated()[0]);
        TokenLimitException e = assertThrows(TokenLimitException.class,
                () -> builder.embedding(List.of(Item.candidate("a star", null), Item.candidate(longText, null)), false));
        assertEquals(1, e.index());
    }

    @Test
    void rerankSequencesEndWithTheCandidateAndReadTheLastPosition() throws Exception {
        SequenceBatch b = builder.rerank(List.of(new RerankPair(Item.query("find", "a red star", Fixtures.image(16, 1)),
                Item.candidate("a blue moon", Fixtures.image(16, 2)))), false);
        int last = b.lengths()[0] - 1;
        int[] moon = tok.encode("moon");
        assertEquals(moon[0], b.tokens()[last]);
        assertEquals(1f, b.readout()[last]);
        assertEquals(2, b.images());
        assertTrue(b.lengths()[0] <= config.maxTokens());
    }

    /**
     * DrQA's exact-match feature: a candidate's text token is flagged when the query's own text has it; the query's
     * positions, its instruction's words, the prompt and the images never are, and the prefix path flags what the whole
     * pair flags. Embedding sequences carry no flags.
     */
    @Test
    void rerankFlagsTheCandidateTokensThatTheQueryTextHas() throws Exception {
        Item query = Item.query("find", "a red star", Fixtures.image(16, 1));
        RerankPair pair = new RerankPair(query, Item.candidate("find a blue star", Fixtures.image(16, 2)));
        SequenceBatch b = builder.rerank(List.of(pair), false);
        int length = b.lengths()[0];
        int[] candidate = tok.encode("find a blue star");
        int from = length - candidate.length; // the candidate's text closes the sequence
        StringBuilder flagged = new StringBuilder();
        for (int p = 0; p < b.time(); p++) {
            if (b.matched()[p] == 1f) {
                assertTrue(p >= from && p < length, "position " + p + " is not candidate text, yet flagged");
                flagged.append(candidate[p - from]).append(' ');
            }
        }
        int[] expected = {tok.encode("a")[0], tok.encode("star")[0]};
        assertEquals(expected[0] + " " + expected[1] + " ", flagged.toString(), "flagged: 'a' and 'star', not 'find' or 'blue'");

        PrefixedBatch prefixed = builder.rerankPrefixed(List.of(pair, new RerankPair(query, Item.candidate("a red moon", null))), false);
        assertEquals(null, prefixed.prefixes().matched(), "a prefix is the query: nothing to flag");
        SequenceBatch suffixes = prefixed.suffixes();
        for (int p = 0; p < suffixes.lengths()[0]; p++) {
            int full = length - suffixes.lengths()[0] + p;
            assertEquals(b.matched()[full], suffixes.matched()[p], "suffix position " + p);
        }
        float[] moon = Arrays.copyOfRange(suffixes.matched(), suffixes.time(), suffixes.time() + suffixes.lengths()[1]);
        int[] moonText = tok.encode("a red moon");
        assertEquals("[0.0, 1.0, 1.0, 0.0]", Arrays.toString(Arrays.copyOfRange(moon, moon.length - moonText.length - 1, moon.length)),
                "the marker's last token, then 'a' and 'red' flagged, 'moon' not");

        assertEquals(null, builder.embedding(List.of(query), false).matched());
    }

    @Test
    void generativeTargetsAreTheNextTextTokens() {
        SequenceBatch b = builder.generative(List.of(Item.candidate("a red star", Fixtures.image(16, 1))));
        int[] text = tok.encode("a red star");
        // <bos> [4 image] a red star <eos>: no target points at an image token
        assertEquals(-1, b.targets()[0]);
        assertEquals(text[0], b.targets()[4], "the last image position predicts the first word");
        assertEquals(text[1], b.targets()[5]);
        assertEquals(tok.eos, b.targets()[4 + text.length]);
        assertEquals(-1, b.targets()[5 + text.length], "nothing follows <eos>");
    }
}
