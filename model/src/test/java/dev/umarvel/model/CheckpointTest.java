package dev.umarvel.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.umarvel.model.ModelConfig.Attention;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.io.CheckpointException;
import dev.umarvel.model.io.Manifest;
import dev.umarvel.model.nn.LanguageModel;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.text.TextTokenizer;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir Path dir;
    private TextTokenizer tokenizer;
    private NDManager manager;
    private Mllm model;
    private final List<Item> items = List.of(Item.query("find the matching item", "a red circle", Fixtures.image(16, 9)),
            Item.candidate("a green star", null));

    @BeforeEach
    void setUp() throws Exception {
        tokenizer = Fixtures.tokenizer(dir);
        manager = OfflineEngine.pytorch().newBaseManager();
        model = Fixtures.tiny(manager, tokenizer, 21, Attention.BIDIRECTIONAL);
    }

    @AfterEach
    void tearDown() {
        manager.close();
        tokenizer.close();
    }

    private Manifest save(Path where) throws Exception {
        return Checkpoint.save(where, model, tokenizer.file(), "embedder", "INSTRUCTION", "jobs/s2/final", 120, null,
                Map.of("job", "s3"), Map.of("optimizer.bin", new byte[] {1, 2, 3}));
    }

    @Test
    void aRoundTripGivesIdenticalEmbeddings() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        Manifest written = save(ckpt);
        float[][] before = new Inference(model, tokenizer, manager).embed(items, false).vectors();
        try (Inference loaded = Inference.load(ckpt)) {
            collectGarbage(); // weights whose memory belonged to a Java buffer would be freed here
            float[][] after = loaded.embed(items, false).vectors();
            for (int i = 0; i < items.size(); i++) {
                assertArrayEquals(before[i], after[i], 0f);
            }
            assertEquals(written.hash(), loaded.manifest().hash());
            assertEquals("INSTRUCTION", loaded.manifest().stage());
            assertEquals("jobs/s2/final", loaded.manifest().parent());
            assertEquals(12, loaded.manifest().version().length());
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary directory left");
        }
    }

    /**
     * A trained reranker's exact-match embedding is saved and loaded like any weight; weights written before it existed
     * (and imported ones) load with it at zero, which adds nothing to any sequence.
     */
    @Test
    void theExactMatchEmbeddingRoundTripsAndIsZeroWhereAbsent() throws Exception {
        NetworkTest.setMatchEmbedding(model, 0.25f);
        Path ckpt = dir.resolve("ckpt");
        save(ckpt);
        Checkpoint.Loaded loaded = Checkpoint.load(ckpt, manager);
        try {
            assertEquals("[0.25, -0.25, 0.25]", java.util.Arrays.toString(java.util.Arrays.copyOf(matchEmbedding(loaded.model()), 3)));
        } finally {
            loaded.tokenizer().close();
        }
        Map<String, dev.umarvel.model.io.TensorFile.Tensor> older = Checkpoint.tensors(model);
        assertTrue(older.keySet().removeIf(k -> k.endsWith(LanguageModel.MATCH_EMBEDDING)), "the model has the parameter");
        Mllm fresh = Fixtures.tiny(manager, tokenizer, 5, Attention.CAUSAL);
        NetworkTest.setMatchEmbedding(fresh, 1f);
        Checkpoint.assign(fresh, older, "older weights");
        float[] match = matchEmbedding(fresh);
        assertArrayEquals(new float[match.length], match, 0f);
    }

    private static float[] matchEmbedding(Mllm m) {
        return m.getParameters().stream().filter(p -> p.getKey().endsWith(LanguageModel.MATCH_EMBEDDING)).findFirst().orElseThrow()
                .getValue().getArray().toFloatArray();
    }

    /** Drops every unreachable Java buffer, so memory that was only lent to native tensors is freed. */
    static void collectGarbage() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            byte[][] churn = new byte[64][];
            for (int j = 0; j < churn.length; j++) {
                churn[j] = new byte[1 << 20];
            }
            System.gc();
            Thread.sleep(50);
        }
    }

    @Test
    void aFlippedByteIsDetected() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        save(ckpt);
        try (RandomAccessFile f = new RandomAccessFile(ckpt.resolve(Checkpoint.PARAMETERS).toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x01);
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> Inference.load(ckpt));
        assertEquals(CheckpointException.Kind.CORRUPT, e.kind());
        assertTrue(e.getMessage().contains(Checkpoint.PARAMETERS), e.getMessage());
    }

    @Test
    void aMissingCheckpointAndAMismatchedConfigAreTold() throws Exception {
        assertEquals(CheckpointException.Kind.MISSING,
                assertThrows(CheckpointException.class, () -> Checkpoint.verify(dir.resolve("nothing"))).kind());
        Path ckpt = dir.resolve("ckpt");
        save(ckpt);
        ModelConfig wider = new ModelConfig("custom", tokenizer.vocabSize(), 64, 2, 2, 64, 96, 16, 8, 32, 1, 2, 2, 0f,
                Attention.BIDIRECTIONAL, ModelConfig.Pooling.MEAN, true, false, ModelConfig.Layout.PRE_NORM);
        Mllm other = new Mllm(wider);
        other.initialize(manager);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.loadParameters(ckpt, other));
        assertEquals(CheckpointException.Kind.INCOMPATIBLE, e.kind());
        assertTrue(e.getMessage().contains("width 32 != 64"), e.getMessage());
    }

    @Test
    void savingAgainReplacesTheCheckpointWhole() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        Manifest first = save(ckpt);
        model.attachLora(manager, 4, 8, 0f, 3);
        Manifest second = Checkpoint.save(ckpt, model, tokenizer.file(), "embedder", "HARD_NEGATIVE", "", 7,
                new Manifest.Lora(4, 8, 0f), Map.of(), Map.of());
        assertTrue(!first.hash().equals(second.hash()));
        assertTrue(Files.notExists(ckpt.resolve("optimizer.bin")), "files of the old checkpoint are gone");
        try (Inference loaded = Inference.load(ckpt)) {
            assertEquals(7, loaded.manifest().step());
            assertArrayEquals(new Inference(model, tokenizer, manager).embed(items, false).vectors()[0],
                    loaded.embed(items, false).vectors()[0], 0f);
        }
    }
}
