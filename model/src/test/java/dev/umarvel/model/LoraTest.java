package dev.umarvel.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.umarvel.model.ModelConfig.Attention;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.nn.NoGrad;
import dev.umarvel.model.text.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraTest {

    @TempDir Path dir;
    private TextTokenizer tokenizer;
    private NDManager manager;
    private final List<Item> items = List.of(
            Item.query("find the matching item", "a red circle", Fixtures.image(16, 1)),
            Item.candidate("a purple moon on the left", null));

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

    private float[][] embed(Mllm model) throws Exception {
        return new Inference(model, tokenizer, manager).embed(items, false).vectors();
    }

    @Test
    void aFreshAdapterLeavesTheModelUnchanged() throws Exception {
        Mllm model = Fixtures.tiny(manager, tokenizer, 5, Attention.BIDIRECTIONAL);
        float[][] base = embed(model);
        model.attachLora(manager, 8, 16, 0.05f, 1);
        assertTrue(model.hasLora());
        float[][] adapted = embed(model);
        for (int i = 0; i < base.length; i++) {
            assertArrayEquals(base[i], adapted[i], 1e-6f);
        }
    }

    @Test
    void mergingGivesTheSameOutputAsTheUnmergedAdapter() throws Exception {
        Mllm model = Fixtures.tiny(manager, tokenizer, 5, Attention.BIDIRECTIONAL);
        float[][] base = embed(model);
        model.attachLora(manager, 4, 8, 0f, 1);
        Random random = new Random(3);
        try (NoGrad g = NoGrad.scope()) {
            for (Pair<String, Parameter> p : model.getParameters()) {
                if (p.getKey().endsWith("lora_b")) {
                    NDArray b = p.getValue().getArray();
                    float[] values = new float[(int) b.size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) random.nextGaussian() * 0.05f;
                    }
                    try (NDArray fromJava = manager.create(values, b.getShape())) {
                        b.intern(fromJava.duplicate());
                    }
                }
            }
        }
        float[][] unmerged = embed(model);
        assertTrue(Math.abs(unmerged[0][0] - base[0][0]) > 1e-4, "a non-zero B must change the output");
        model.mergeLora();
        assertFalse(model.hasLora());
        float[][] merged = embed(model);
        for (int i = 0; i < merged.length; i++) {
            assertArrayEquals(unmerged[i], merged[i], 1e-5f);
        }
    }

    @Test
    void withAnAdapterOnlyTheAdaptersOfTheLanguageModelTrain() {
        Mllm model = Fixtures.tiny(manager, tokenizer, 5, Attention.BIDIRECTIONAL);
        model.attachLora(manager, 4, 8, 0.05f, 1);
        model.setTrainable(Mllm.Part.VISION, false);
        model.setTrainable(Mllm.Part.PROJECTOR, false);
        model.setTrainable(Mllm.Part.LANGUAGE, true);
        model.setTrainable(Mllm.Part.TEMPERATURE, true);
        List<String> trainable = model.trainableParameters().stream().map(Pair::getKey).toList();
        // every linear of each language layer: qkv, proj, expand, contract, each with A and B
        int layers = model.config().layers();
        assertEquals(layers * 4 * 2 + 1, trainable.size(), trainable.toString());
        assertTrue(trainable.stream().allMatch(n -> n.endsWith("lora_a") || n.endsWith("lora_b") || n.endsWith("tau")));
        assertTrue(trainable.stream().noneMatch(n -> n.contains("vision")));
    }
}
