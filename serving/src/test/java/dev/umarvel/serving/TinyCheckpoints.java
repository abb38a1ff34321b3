package dev.umarvel.serving;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.OfflineEngine;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.text.VocabularyBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Freshly initialised tiny checkpoints for service tests (a seed makes different, reproducible weights). */
public final class TinyCheckpoints {

    private TinyCheckpoints() {}

    /** Words the test requests use; others map to the unknown token. */
    public static final String CORPUS = "a red green blue circle square star on the left right of picture find matching image "
            + "for this caption retrieve description small big striped dotted";

    /**
     * Writes a tiny checkpoint of {@code kind} ("embedder" or "reranker") to {@code dir}.
     *
     * @param maxTokens the preset's limit, lowered to test truncation
     */
    public static Path write(Path dir, String kind, long seed, int maxTokens) throws Exception {
        Files.createDirectories(dir.getParent());
        Path tokenizer = Files.createTempFile("tokenizer", ".json");
        VocabularyBuilder words = new VocabularyBuilder();
        words.add(CORPUS);
        VocabularyBuilder.write(words.vocabulary(1000, 1), tokenizer);
        int vocab;
        try (dev.umarvel.model.text.TextTokenizer t = dev.umarvel.model.text.TextTokenizer.load(tokenizer)) {
            vocab = t.vocabSize();
        }
        ModelConfig tiny = ModelConfig.tiny();
        ModelConfig config = new ModelConfig(tiny.preset(), vocab, tiny.width(), tiny.layers(), tiny.heads(), tiny.mlpWidth(), maxTokens,
                tiny.imageSize(), tiny.patchSize(), tiny.visionWidth(), tiny.visionLayers(), tiny.visionHeads(), tiny.maxImages(),
                tiny.dropout(), kind.equals("reranker") ? ModelConfig.Attention.CAUSAL : tiny.attention(), tiny.pooling(),
                tiny.instructionMasking(), tiny.compressionPrompt(), tiny.layout());
        try (NDManager manager = OfflineEngine.pytorch().newBaseManager()) {
            Engine.getInstance().setRandomSeed((int) seed);
            Mllm model = new Mllm(config);
            model.initialize(manager);
            Checkpoint.save(dir, model, tokenizer, kind, "TEST", "", 0, null, Map.of("seed", String.valueOf(seed)), Map.of());
        } finally {
            Files.deleteIfExists(tokenizer);
        }
        return dir;
    }
}
