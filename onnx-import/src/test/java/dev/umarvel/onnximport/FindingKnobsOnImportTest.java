package dev.umarvel.onnximport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.OfflineEngine;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.text.TextTokenizer;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each knob the findings turn (causal attention, last-token pooling, the instruction left in the pool, the compression
 * prompt) works on an imported encoder as on our own models: it changes what the model embeds, and the vectors stay unit
 * vectors a search can use.
 */
class FindingKnobsOnImportTest {

    @TempDir
    static Path dir;
    static Path ckpt;

    static final List<Item> QUERIES = List.of(
            Item.query("Retrieve a passage that answers the question.", "where do penguins live in the wild", null),
            Item.query("Find the caption that describes this scene.", "a red circle left of a blue square", null),
            Item.query("Find a news article about this event.", "the central bank raised interest rates again", null));

    @BeforeAll
    static void importMiniLm() throws Exception {
        ckpt = dir.resolve("minilm");
        PretrainedEncoder e = PretrainedEncoder.MINILM;
        try (InputStream in = e.graph()) {
            BertImport.write(new BertImport.Request(e.id(), OnnxWeights.read(in, e.id()), e.tokenizer(dir), e.heads(), e.maxTokens(),
                    ModelConfig.tiny(), 1), ckpt);
        }
    }

    private static float[][] embed(UnaryOperator<ModelConfig> knob) throws Exception {
        try (NDManager manager = OfflineEngine.pytorch().newBaseManager()) {
            Checkpoint.Loaded loaded = Checkpoint.load(ckpt, manager, knob);
            try (TextTokenizer tokenizer = loaded.tokenizer(); Inference inference = new Inference(loaded.model(), tokenizer, manager)) {
                return inference.embed(QUERIES, true).vectors();
            }
        }
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    @Test
    void everyKnobChangesTheEmbeddingAndKeepsItAUnitVector() throws Exception {
        float[][] recipe = embed(c -> c);
        List<UnaryOperator<ModelConfig>> knobs = List.of(
                c -> c.withAttention(ModelConfig.Attention.CAUSAL),
                c -> c.withPooling(ModelConfig.Pooling.LAST_TOKEN, c.instructionMasking(), c.compressionPrompt()),
                c -> c.withPooling(c.pooling(), false, c.compressionPrompt()),
                c -> c.withPooling(c.pooling(), c.instructionMasking(), true));
        List<String> names = List.of("causal attention", "last-token pooling", "instruction pooled", "compression prompt");
        for (int k = 0; k < knobs.size(); k++) {
            float[][] turned = embed(knobs.get(k));
            for (int q = 0; q < QUERIES.size(); q++) {
                assertEquals(1.0, cosine(turned[q], turned[q]), 1e-4, names.get(k) + ": a unit vector");
                double same = cosine(recipe[q], turned[q]);
                assertTrue(same < 0.999, names.get(k) + " left query " + q + " as it was (cosine " + same + ")");
            }
        }
    }
}
