package dev.umarvel.serving;

import com.google.protobuf.Timestamp;
import dev.umarvel.api.v1.AttentionMode;
import dev.umarvel.api.v1.ModelInfo;
import dev.umarvel.api.v1.ModelKind;
import dev.umarvel.api.v1.Pooling;
import dev.umarvel.model.Inference;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.io.CheckpointException;
import dev.umarvel.model.io.Manifest;
import java.nio.file.Path;
import java.time.Instant;

/** A loaded checkpoint and what {@code GetModelInfo} says about it, fixed at load time. */
public record ServedModel(Inference inference, ModelInfo info) implements AutoCloseable {

    /**
     * Loads and verifies a checkpoint of the expected kind ("embedder" or "reranker").
     *
     * @param shown the path as the caller gave it (store-relative), reported in the info
     */
    public static ServedModel load(Path dir, String shown, String expectedKind) throws CheckpointException {
        Manifest manifest = dev.umarvel.model.io.Checkpoint.verify(dir);
        if (!expectedKind.equals(manifest.kind())) {
            throw new CheckpointException(CheckpointException.Kind.INCOMPATIBLE, shown + " is a " + manifest.kind()
                    + " checkpoint; this service serves " + expectedKind + "s");
        }
        Inference inference = Inference.load(dir);
        return new ServedModel(inference, info(inference, shown, Instant.now()));
    }

    private static ModelInfo info(Inference inference, String shown, Instant loadedAt) {
        Manifest m = inference.manifest();
        ModelConfig c = inference.config();
        return ModelInfo.newBuilder()
                .setName(c.preset())
                .setVersion(m.version())
                .setCheckpointHash(m.hash())
                .setCheckpointPath(shown)
                .setKind("reranker".equals(m.kind()) ? ModelKind.MODEL_KIND_RERANKER : ModelKind.MODEL_KIND_EMBEDDER)
                .setDimension(c.width())
                .setPooling(c.pooling() == ModelConfig.Pooling.MEAN ? Pooling.POOLING_MEAN : Pooling.POOLING_LAST_TOKEN)
                .setAttention(c.attention() == ModelConfig.Attention.BIDIRECTIONAL ? AttentionMode.ATTENTION_MODE_BIDIRECTIONAL
                        : AttentionMode.ATTENTION_MODE_CAUSAL)
                .setInstructionMasking(c.instructionMasking())
                .setCompressionPrompt(c.compressionPrompt())
                .setMaxTokens(c.maxTokens())
                .setStage(m.stage() == null ? "" : m.stage())
                .setParentCheckpoint(m.parent() == null ? "" : m.parent())
                .setLoadedAt(Timestamp.newBuilder().setSeconds(loadedAt.getEpochSecond()).setNanos(loadedAt.getNano()))
                .setDevice("cpu")
                .build();
    }

    @Override
    public void close() {
        inference.close();
    }
}
