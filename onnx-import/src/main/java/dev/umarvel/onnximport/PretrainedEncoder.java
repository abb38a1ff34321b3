package dev.umarvel.onnximport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * The pretrained text encoders this build carries: each one's ONNX graph and tokenizer.json ride in a Maven jar
 * (langchain4j's packaging of the Hugging Face export), so importing one by name reads the class path, never the network.
 */
public enum PretrainedEncoder {
    /**
     * all-MiniLM-L6-v2: 6 layers, width 384, 12 heads; sentence-transformers, mean pooling. Fine-tuned on sequences of at
     * most 256 word pieces (its max_seq_length): positions beyond were never trained for sentence embeddings.
     */
    MINILM("all-minilm-l6-v2", "minilm", 12, 256),
    /** e5-small-v2: 12 layers, width 384, 12 heads, 512 positions; "query: " / "passage: " prefixes, mean pooling. */
    E5_SMALL("e5-small-v2", "e5-small", 12, 512);

    private final String id;
    private final String preset;
    private final int heads;
    private final int maxTokens;

    PretrainedEncoder(String id, String preset, int heads, int maxTokens) {
        this.id = id;
        this.preset = preset;
        this.heads = heads;
        this.maxTokens = maxTokens;
    }

    /** The longest sequence it was trained on: the imported checkpoint's token limit. */
    public int maxTokens() {
        return maxTokens;
    }

    /** The name users type and checkpoints record, e.g. {@code all-minilm-l6-v2}. */
    public String id() {
        return id;
    }

    /** The training preset built on it (its jobs' learning rates and trainable set), e.g. {@code minilm}. */
    public String preset() {
        return preset;
    }

    /** The encoder whose preset this is ({@code minilm} or {@code e5-small}). */
    public static PretrainedEncoder ofPreset(String preset) {
        return Arrays.stream(values()).filter(e -> e.preset.equals(preset)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown backbone '" + preset + "': expected scratch or one of "
                        + Arrays.stream(values()).map(PretrainedEncoder::preset).toList()));
    }

    /** Attention heads: not in the weights, so known here. */
    public int heads() {
        return heads;
    }

    /** The encoder of this name ({@code all-minilm-l6-v2} or {@code e5-small-v2}). */
    public static PretrainedEncoder named(String name) {
        return Arrays.stream(values()).filter(e -> e.id.equals(name.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown pretrained encoder '" + name + "': expected one of "
                        + Arrays.stream(values()).map(PretrainedEncoder::id).toList()));
    }

    /** The ONNX graph's bytes, from the class path. */
    public InputStream graph() throws IOException {
        return new BufferedInputStream(resource(id + ".onnx"), 1 << 20);
    }

    /** The tokenizer.json, copied from the class path to {@code dir} (the tokenizer library reads files). */
    public Path tokenizer(Path dir) throws IOException {
        Path out = dir.resolve(id + "-tokenizer.json");
        try (InputStream in = resource(id + "-tokenizer.json")) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
        return out;
    }

    private InputStream resource(String name) throws IOException {
        InputStream in = PretrainedEncoder.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the class path (the langchain4j-embeddings jar of " + id + ")");
        }
        return in;
    }
}
