package dev.umarvel.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.OfflineEngine;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.text.TextTokenizer;
import dev.umarvel.model.text.VocabularyBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vision tower standardises its input with fixed channel statistics that travel with the checkpoint. */
class PixelStatisticsTest {

    private static final float[] MEAN = {0.76f, 0.75f, 0.73f};
    private static final float[] STD = {0.27f, 0.31f, 0.36f};
    private static final int SIZE = 16;

    @TempDir Path dir;
    private NDManager manager;
    private TextTokenizer tokenizer;
    private Mllm model;
    private final float[] image = randomImage(3);

    @BeforeEach
    void setUp() throws Exception {
        manager = OfflineEngine.pytorch().newBaseManager();
        VocabularyBuilder words = new VocabularyBuilder();
        words.add("a red circle on the left");
        VocabularyBuilder.write(words.vocabulary(1000, 1), dir.resolve("tokenizer.json"));
        tokenizer = TextTokenizer.load(dir.resolve("tokenizer.json"));
        Engine.getInstance().setRandomSeed(5);
        model = new Mllm(ModelConfig.tiny().withVocabSize(tokenizer.vocabSize()));
        model.initialize(manager);
    }

    @AfterEach
    void tearDown() {
        manager.close();
        tokenizer.close();
    }

    @Test
    void theTowerSeesEachChannelStandardised() throws Exception {
        float[] standardised = image.clone();
        int plane = SIZE * SIZE;
        for (int i = 0; i < standardised.length; i++) {
            standardised[i] = (standardised[i] - MEAN[i / plane]) / STD[i / plane];
        }
        float[] expected = embed(standardised);     // identity statistics, input standardised by hand
        model.setPixelStatistics(MEAN, STD);
        float[] actual = embed(image);             // the tower standardises
        assertArrayEquals(expected, actual, 1e-5f);
        assertFalse(java.util.Arrays.equals(expected, embed(standardised)), "the statistics change what the tower sees");
    }

    @Test
    void theStatisticsNeverTrain() {
        model.setPixelStatistics(MEAN, STD);
        for (Mllm.Part part : Mllm.Part.values()) {
            model.setTrainable(part, true);
        }
        List<String> trainable = model.trainableParameters().stream().map(Pair::getKey).toList();
        assertTrue(trainable.stream().anyMatch(n -> n.contains("vision_")), "the tower itself trains: " + trainable);
        assertTrue(trainable.stream().noneMatch(Mllm::isPixelStatistic), "statistics among trainable: " + trainable);
    }

    @Test
    void theyTravelWithTheCheckpointAndAnOlderCheckpointLoadsAsIdentity() throws Exception {
        model.setPixelStatistics(MEAN, STD);
        Path ckpt = dir.resolve("ckpt");
        Checkpoint.save(ckpt, model, tokenizer.file(), "embedder", "PRETRAIN", "", 1, null, Map.of(), Map.of());
        float[] before = embed(image);
        try (Inference loaded = Inference.load(ckpt)) {
            assertArrayEquals(before, loaded.embed(List.of(Item.candidate(null, image)), false).vectors()[0], 0f);
        }

        // a checkpoint written before the tower had statistics: the same file without them, re-hashed
        Manifest written = Checkpoint.verify(ckpt);
        Map<String, TensorFile.Tensor> tensors = new TreeMap<>(TensorFile.read(ckpt.resolve(Checkpoint.PARAMETERS)));
        assertTrue(tensors.keySet().removeIf(Mllm::isPixelStatistic), "saved with its statistics: " + tensors.keySet());
        TensorFile.write(ckpt.resolve(Checkpoint.PARAMETERS), tensors);
        rehash(ckpt, written);
        model.setPixelStatistics(new float[3], new float[] {1, 1, 1});
        float[] identity = embed(image);
        try (Inference loaded = Inference.load(ckpt)) {
            assertArrayEquals(identity, loaded.embed(List.of(Item.candidate(null, image)), false).vectors()[0], 0f);
        }
    }

    @Test
    void aDeviationThatIsNotPositiveIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.setPixelStatistics(MEAN, new float[] {0.3f, 0f, 0.3f}));
        assertEquals("pixel statistics: standard deviations must be positive, got [0.3, 0.0, 0.3]", e.getMessage());
    }

    private float[] embed(float[] pixels) throws Exception {
        return new Inference(model, tokenizer, manager).embed(List.of(Item.candidate(null, pixels)), false).vectors()[0];
    }

    /** Rewrites the manifest's hashes after a file changed, as the writer of that checkpoint would have. */
    private static void rehash(Path ckpt, Manifest old) throws Exception {
        Path manifestFile = ckpt.resolve(Checkpoint.MANIFEST);
        String json = Files.readString(manifestFile, StandardCharsets.UTF_8);
        Map<String, String> files = new TreeMap<>(old.files());
        String oldSha = files.put(Checkpoint.PARAMETERS, Checkpoint.sha256(ckpt.resolve(Checkpoint.PARAMETERS)));
        json = json.replace(oldSha, files.get(Checkpoint.PARAMETERS)).replace(old.hash(), Checkpoint.contentHash(files));
        Files.writeString(manifestFile, json, StandardCharsets.UTF_8);
    }

    private static float[] randomImage(long seed) {
        Random random = new Random(seed);
        float[] pixels = new float[3 * SIZE * SIZE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = 0.5f + random.nextFloat() * 0.5f; // a bright image, as the synthetic scenes are
        }
        return pixels;
    }
}
