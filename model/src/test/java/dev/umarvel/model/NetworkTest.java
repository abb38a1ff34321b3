package dev.umarvel.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.umarvel.model.ModelConfig.Attention;
import dev.umarvel.model.nn.LanguageModel;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.nn.NoGrad;
import dev.umarvel.model.text.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The network's defining behaviours: attention direction, pooling, batch independence. */
class NetworkTest {

    @TempDir Path dir;
    private TextTokenizer tokenizer;
    private NDManager manager;

    @BeforeEach
    void setUp() throws Exception {
        tokenizer = Fixtures.tokenizer(dir);
        manager = OfflineEngine.pytorch().newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
        tokenizer.close();
    }

    /** Hidden states (T, D) of one item's sequence, flattened. */
    private float[] hidden(Mllm model, Item item) throws Exception {
        SequenceBatch batch = new SequenceBuilder(tokenizer, model.config()).embedding(List.of(item), true);
        try (NDManager scope = manager.newSubManager(); NoGrad g = NoGrad.scope()) {
            return model.hidden(new ParameterStore(scope, false),
                    batch.inputs(scope, model.config().attention(), model.config().imageSize()), false).toFloatArray();
        }
    }

    private static float maxDiff(float[] a, float[] b, int from, int to) {
        float max = 0;
        for (int i = from; i < to; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @Test
    void bidirectionalLetsALaterTokenChangeTheFirstPosition() throws Exception {
        Mllm model = Fixtures.tiny(manager, tokenizer, 7, Attention.BIDIRECTIONAL);
        float[] a = hidden(model, Item.candidate("a red circle", null));
        float[] b = hidden(model, Item.candidate("a red square", null));
        int d = model.config().width();
        assertTrue(maxDiff(a, b, 0, d) > 1e-4, "position 0 must see the last token");
    }

    @ParameterizedTest
    @EnumSource(ModelConfig.Layout.class)
    void causalKeepsTheFirstPositionBlindToLaterTokens(ModelConfig.Layout layout) throws Exception {
        Mllm model = Fixtures.tiny(manager, tokenizer, 7, Attention.CAUSAL, layout);
        float[] a = hidden(model, Item.candidate("a red circle", null));
        float[] b = hidden(model, Item.candidate("a red square", null));
        int d = model.config().width();
        assertEquals(0f, maxDiff(a, b, 0, 3 * d), 1e-6f, "positions 0-2 (<bos> a red) see nothing later");
        assertTrue(maxDiff(a, b, 3 * d, 4 * d) > 1e-4, "position 3 holds the changed token");
    }

    @Test
    void instructionMaskedMeanEqualsTheHandComputedMean() throws Exception {
        Mllm model = Fixtures.tiny(manager, tokenizer, 3, Attention.BIDIRECTIONAL);
        Item query = Item.query("find the matching item", "a blue star", Fixtures.image(16, 5));
        float[] h = hidden(model, query);
        int d = model.config().width();
        int t = h.length / d;
        // Layout: <bos> <instruction_start> find the matching item <instruction_end> [4 image] a blue star
        int instructionFrom = 1;
        int instructionTo = 1 + 1 + 4 + 1; // both markers included
        float[] mean = new float[d];
        int pooled = 0;
        for (int p = 0; p < t; p++) {
            if (p >= instructionFrom && p < instructionTo) {
                continue;
            }
            pooled++;
            for (int k = 0; k < d; k++) {
                mean[k] += h[p * d + k];
            }
        }
        assertEquals(t - 6, pooled);
        double norm = 0;
        for (int k = 0; k < d; k++) {
            mean[k] /= pooled;
            norm += mean[k] * mean[k];
        }
        for (int k = 0; k < d; k++) {
            mean[k] /= (float) Math.sqrt(norm);
        }
        float[] embedded = new Inference(model, tokenizer, manager).embed(List.of(query), false).vectors()[0];
        assertArrayEquals(mean, embedded, 1e-5f);
    }

    @Test
    void lastTokenPoolingWithTheCompressionPromptReadsTheEmbToken() throws Exception {
        ModelConfig config = ModelConfig.tiny().withVocabSize(tokenizer.vocabSize())
                .withPooling(ModelConfig.Pooling.LAST_TOKEN, false, true);
        ai.djl.engine.Engine.getInstance().setRandomSeed(3);
        Mllm model = new Mllm(config);
        model.initialize(manager);
        Item item = Item.candidate("a blue star", null);
        SequenceBatch batch = new SequenceBuilder(tokenizer, config).embedding(List.of(item), false);
        assertEquals(tokenizer.emb, batch.tokens()[batch.lengths()[0] - 1]);
        float[] h = hidden(model, item);
        int d = config.width();
        int last = batch.lengths()[0] - 1;
        float[] expected = new float[d];
        double norm = 0;
        for (int k = 0; k < d; k++) {
            expected[k] = h[last * d + k];
            norm += expected[k] * expected[k];
        }
        for (int k = 0; k < d; k++) {
            expected[k] /= (float) Math.sqrt(norm);
        }
        assertArrayEquals(expected, new Inference(model, tokenizer, manager).embed(List.of(item), false).vectors()[0], 1e-5f);
    }

    @Test
    void anItemEmbedsTheSameAloneAndInsideAPaddedBatch() throws Exception {
        Mllm model = Fixtures.tiny(manager, tokenizer, 11, Attention.BIDIRECTIONAL);
        Inference inference = new Inference(model, tokenizer, manager);
        List<Item> items = new ArrayList<>(List.of(
                Item.query("retrieve an image caption", "a red circle on the left of the picture", Fixtures.image(16, 1)),
                Item.candidate("a star", null),
                Item.candidate("", Fixtures.image(16, 2)),
                Item.query("find the matching item", "a green heart", null)));
        float[][] together = inference.embed(items, false).vectors();
        for (int i = 0; i < items.size(); i++) {
            float[] alone = inference.embed(List.of(items.get(i)), false).vectors()[0];
            assertArrayEquals(alone, together[i], 1e-5f, "item " + i);
        }
    }

    @Test
    void concurrentCallersEachGetTheirOwnAnswers() throws Exception {
        Mllm model = Fixtures.tiny(manager, tokenizer, 17, Attention.BIDIRECTIONAL);
        Inference inference = new Inference(model, tokenizer, manager);
        List<Item> items = List.of(Item.candidate("a red circle", null), Item.candidate("a blue star", Fixtures.image(16, 4)),
                Item.query("find the matching item", "a green moon", null), Item.candidate("", Fixtures.image(16, 5)));
        float[][] expected = new float[items.size()][];
        for (int i = 0; i < items.size(); i++) {
            expected[i] = inference.embed(List.of(items.get(i)), false).vectors()[0];
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<float[]>> answers = new ArrayList<>();
            for (int call = 0; call < 40; call++) {
                Item item = items.get(call % items.size());
                answers.add(pool.submit(() -> inference.embed(List.of(item), false).vectors()[0]));
            }
            for (int call = 0; call < answers.size(); call++) {
                assertArrayEquals(expected[call % items.size()], answers.get(call).get(), 1e-5f, "call " + call);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rerankScoresAreBatchIndependentProbabilities() throws Exception {
        Mllm model = Fixtures.tiny(manager, tokenizer, 13, Attention.CAUSAL);
        Inference inference = new Inference(model, tokenizer, manager);
        List<RerankPair> pairs = List.of(
                new RerankPair(Item.query("find the matching item", "a red circle", Fixtures.image(16, 3)),
                        Item.candidate("a red circle", Fixtures.image(16, 4))),
                new RerankPair(Item.query("", "a star", null), Item.candidate("a blue moon on the left", null)));
        Inference.Scores together = inference.score(pairs, false);
        for (int i = 0; i < pairs.size(); i++) {
            Inference.Scores alone = inference.score(List.of(pairs.get(i)), false);
            assertEquals(alone.probabilityYes()[0], together.probabilityYes()[i], 1e-5f);
            float p = together.probabilityYes()[i];
            double expected = 1 / (1 + Math.exp(together.logitNo()[i] - together.logitYes()[i]));
            assertEquals(expected, p, 1e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(ModelConfig.Layout.class)
    void reusingTheQueryPrefixGivesTheFullSequencesScores(ModelConfig.Layout layout) throws Exception {
        Mllm model = Fixtures.tiny(manager, tokenizer, 17, Attention.CAUSAL, layout);
        setMatchEmbedding(model, 0.5f); // as a trained reranker's: the suffixes' flags must reach the model too
        Inference inference = new Inference(model, tokenizer, manager);
        List<RerankPair> pairs = sharedQueryPairs();
        assertTrue(new SequenceBuilder(tokenizer, model.config()).rerankPrefixed(pairs, false) != null, "this batch takes the prefix path");
        Inference.Scores reused = inference.score(pairs, false);
        Inference.Scores full = inference.scoreFull(pairs, false);
        assertArrayEquals(full.logitYes(), reused.logitYes(), 1e-4f);
        assertArrayEquals(full.logitNo(), reused.logitNo(), 1e-4f);
        assertArrayEquals(full.probabilityYes(), reused.probabilityYes(), 1e-5f);
        assertArrayEquals(full.truncated(), reused.truncated());
    }

    /**
     * The exact-match embedding is the only way the flags reach the model: zero (a model that never trained it) scores
     * as before the flags existed, and a non-zero one moves exactly the pairs with a shared word.
     */
    @Test
    void exactMatchFlagsMoveOnlyPairsThatShareAWord() throws Exception {
        Mllm model = Fixtures.tiny(manager, tokenizer, 23, Attention.CAUSAL);
        Inference inference = new Inference(model, tokenizer, manager);
        Item query = Item.query("", "a red circle", null);
        List<RerankPair> pairs = List.of(new RerankPair(query, Item.candidate("a red circle", null)),
                new RerankPair(query, Item.candidate("blue star", null)));
        SequenceBatch laid = new SequenceBuilder(tokenizer, model.config()).rerank(pairs, false);
        float[] before = inference.scoreFull(pairs, false).logitYes();
        float[] unflagged = logitsWithoutFlags(model, laid);
        assertArrayEquals(unflagged, before, 0f);
        setMatchEmbedding(model, 0.5f);
        float[] after = inference.scoreFull(pairs, false).logitYes();
        assertTrue(Math.abs(after[0] - before[0]) > 1e-4, "the shared words' flags move the pair: " + before[0] + " -> " + after[0]);
        assertEquals(before[1], after[1], 0f, "no shared word, no flag, no change");
    }

    /** The reranker's logit of "Yes" at each pair's last position, the flags left out of the inputs. */
    private float[] logitsWithoutFlags(Mllm model, SequenceBatch laid) {
        try (NDManager scope = manager.newSubManager(); NoGrad g = NoGrad.scope()) {
            ai.djl.ndarray.NDList inputs = laid.inputs(scope, Attention.CAUSAL, model.config().imageSize());
            inputs.remove(Mllm.MATCHED);
            ParameterStore ps = new ParameterStore(scope, false);
            NDArray logits = model.logits(ps, Mllm.readout(model.hidden(ps, inputs, false), laid.readout(scope)), false);
            return logits.get(":, " + tokenizer.yes).toFloatArray();
        }
    }

    /**
     * Sets the model's exact-match embedding to +-{@code value}, alternating: a vector with equal components would vanish
     * in the layer norms, which take out the mean.
     */
    static void setMatchEmbedding(Mllm model, float value) {
        NDArray match = model.getParameters().stream().filter(p -> p.getKey().endsWith(LanguageModel.MATCH_EMBEDDING))
                .findFirst().orElseThrow().getValue().getArray();
        float[] values = new float[(int) match.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 2 == 0 ? value : -value;
        }
        match.set(values);
    }

    /** An imported BERT's reranker reads each pair whole and both ways: no query prefix is reused, the attention is its own. */
    @Test
    void aBidirectionalRerankerReadsEachPairWholeWithItsOwnAttention() throws Exception {
        Mllm both = Fixtures.tiny(manager, tokenizer, 19, Attention.BIDIRECTIONAL, ModelConfig.Layout.BERT);
        Mllm causal = Fixtures.tiny(manager, tokenizer, 19, Attention.CAUSAL, ModelConfig.Layout.BERT); // the same weights
        List<RerankPair> pairs = sharedQueryPairs();
        Inference.Scores scored = new Inference(both, tokenizer, manager).score(pairs, false);
        Inference.Scores full = new Inference(both, tokenizer, manager).scoreFull(pairs, false);
        Inference.Scores causally = new Inference(causal, tokenizer, manager).scoreFull(pairs, false);
        assertArrayEquals(full.logitYes(), scored.logitYes(), 0f);
        assertArrayEquals(full.logitNo(), scored.logitNo(), 0f);
        // the same weights on the same path, the mask alone apart: at random init the last position's logits move by
        // ~1e-6 (it sees every position either way; only the earlier positions' states differ), far above the 0 that
        // two identical computations give on the CPU
        for (int i = 0; i < pairs.size(); i++) {
            assertTrue(Math.abs(causally.logitYes()[i] - scored.logitYes()[i]) > 1e-7,
                    "pair " + i + " read both ways differs from the causal reading: " + scored.logitYes()[i] + " vs " + causally.logitYes()[i]);
        }
    }

    /** Two queries interleaved, candidates of every modality and length. */
    private static List<RerankPair> sharedQueryPairs() {
        Item imageQuery = Item.query("find the matching item", "a red circle", Fixtures.image(16, 3));
        Item textQuery = Item.query("", "a star", null);
        List<RerankPair> pairs = new ArrayList<>();
        String[] texts = {"a red circle", "a blue moon on the left of a green square", "star", "a white heart"};
        for (int i = 0; i < 8; i++) {
            Item candidate = switch (i % 3) {
                case 0 -> Item.candidate(texts[i % texts.length], null);
                case 1 -> Item.candidate("", Fixtures.image(16, 10 + i));
                default -> Item.candidate(texts[(i + 1) % texts.length], Fixtures.image(16, 20 + i));
            };
            pairs.add(new RerankPair(i % 2 == 0 ? imageQuery : textQuery, candidate));
        }
        return pairs;
    }
}
