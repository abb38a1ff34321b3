package dev.umarvel.onnximport;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.OfflineEngine;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.io.Manifest;
import dev.umarvel.model.io.TensorFile.Tensor;
import dev.umarvel.model.nn.Mllm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A BERT-family encoder (its ONNX graph and tokenizer.json) as one of our checkpoints: the language model of an MLLM in
 * {@link ModelConfig.Layout#BERT}, with a freshly initialised vision tower and projector of a from-scratch preset's
 * shapes, for the alignment stage to train into the encoder's space.
 *
 * <p>The mapping, exact up to float rounding: word and position embeddings as they are (the token-type embedding of type
 * 0 added to every position, since we only ever use type 0); query, key and value stacked into one (3D, D) projection;
 * each MatMul weight (in, out) transposed to a linear weight (out, in); the two LayerNorms of each layer as its
 * attention and feed-forward norms.
 */
public final class BertImport {

    private BertImport() {}

    /**
     * What is imported and how the result is shaped.
     *
     * @param maxTokens the token limit: at most the graph's positions (0: all of them); an encoder fine-tuned on shorter
     *     sequences than its position table holds is best kept to them
     */
    public record Request(String name, OnnxWeights graph, Path tokenizerJson, int heads, int maxTokens, ModelConfig vision, long seed) {}

    /** The config an encoder's weights imply (heads are not in the weights: the caller knows them). */
    public static ModelConfig config(Request r) {
        Tensor words = r.graph().tensor("embeddings.word_embeddings.weight");          // (V, D)
        Tensor positions = r.graph().tensor("embeddings.position_embeddings.weight");  // (P, D)
        Tensor hidden = r.graph().tensor("encoder.layer.0.intermediate.dense.bias");   // (F)
        int layers = 0;
        while (r.graph().names().contains("encoder.layer." + layers + ".output.dense.bias")) {
            layers++;
        }
        if (layers == 0) {
            throw new IllegalArgumentException(r.name() + ": no encoder.layer.0 in the graph: not a BERT-family encoder");
        }
        int table = (int) positions.shape()[0];
        if (r.maxTokens() < 0 || r.maxTokens() > table) {
            throw new IllegalArgumentException(r.name() + ": max tokens must be in 1.." + table + " (its positions) or 0 for all, got " + r.maxTokens());
        }
        ModelConfig v = r.vision();
        return new ModelConfig(r.name(), (int) words.shape()[0], (int) words.shape()[1], layers, r.heads(), (int) hidden.shape()[0],
                r.maxTokens() == 0 ? table : r.maxTokens(), v.imageSize(), v.patchSize(), v.visionWidth(), v.visionLayers(), v.visionHeads(),
                v.maxImages(), 0f, ModelConfig.Attention.BIDIRECTIONAL, ModelConfig.Pooling.MEAN, true, false, ModelConfig.Layout.BERT);
    }

    /** Writes the checkpoint to {@code out} (atomically, as every checkpoint) and returns its manifest. */
    public static Manifest write(Request r, Path out) throws IOException, dev.umarvel.model.io.CheckpointException {
        ModelConfig config = config(r);
        Path scratch = Files.createTempDirectory("umarvel-import-");
        Path tokenizer = scratch.resolve(Checkpoint.TOKENIZER);
        try (NDManager manager = OfflineEngine.pytorch().newBaseManager()) {
            Files.writeString(tokenizer, SpecialTokenNames.rename(Files.readString(r.tokenizerJson())));
            Engine.getInstance().setRandomSeed((int) r.seed());
            Mllm model = new Mllm(config);
            model.initialize(manager);
            Map<String, Tensor> imported = language(r.graph(), config.layers(), config.maxTokens());
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> p : Checkpoint.tensors(model).entrySet()) { // vision, projector, temperature: fresh
                Tensor t = imported.remove(plainName(p.getKey()));
                tensors.put(p.getKey(), t == null ? p.getValue() : t);
            }
            if (!imported.isEmpty()) {
                throw new IllegalStateException(r.name() + ": no parameter of ours for " + imported.keySet());
            }
            Checkpoint.assign(model, tensors, r.name());
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("imported_from", r.name());
            labels.put("onnx_producer", r.graph().producer());
            labels.put("seed", Long.toString(r.seed()));
            return Checkpoint.save(out, model, tokenizer, "generative", "IMPORT", "", 0, null, labels, Map.of());
        } finally {
            Files.deleteIfExists(tokenizer);
            Files.deleteIfExists(scratch);
        }
    }

    /** A parameter's name without the child numbers DJL puts before each block's name: 03language_02layer0_... -> language_layer0_... */
    static String plainName(String parameter) {
        return parameter.replaceAll("(^|_)\\d{2}", "$1");
    }

    /** The language model's parameters, by our plain names, from the graph's. */
    static Map<String, Tensor> language(OnnxWeights g, int layers, int positions) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("language_token_embedding", g.tensor("embeddings.word_embeddings.weight"));
        out.put("language_position_embedding", addRow(firstRows(g.tensor("embeddings.position_embeddings.weight"), positions),
                g.tensor("embeddings.token_type_embeddings.weight")));
        out.put("language_embedding_norm_gain", g.tensor("embeddings.LayerNorm.weight"));
        out.put("language_embedding_norm_bias", g.tensor("embeddings.LayerNorm.bias"));
        for (int i = 0; i < layers; i++) {
            String ours = "language_layer" + i + "_";
            String node = "/encoder/layer." + i + "/";
            String theirs = "encoder.layer." + i + ".";
            out.put(ours + "attention_qkv_weight", stack(transpose(g.weightOf(node + "attention/self/query/MatMul")),
                    transpose(g.weightOf(node + "attention/self/key/MatMul")), transpose(g.weightOf(node + "attention/self/value/MatMul"))));
            out.put(ours + "attention_qkv_bias", stack(g.tensor(theirs + "attention.self.query.bias"),
                    g.tensor(theirs + "attention.self.key.bias"), g.tensor(theirs + "attention.self.value.bias")));
            out.put(ours + "attention_proj_weight", transpose(g.weightOf(node + "attention/output/dense/MatMul")));
            out.put(ours + "attention_proj_bias", g.tensor(theirs + "attention.output.dense.bias"));
            out.put(ours + "attention_norm_gain", g.tensor(theirs + "attention.output.LayerNorm.weight"));
            out.put(ours + "attention_norm_bias", g.tensor(theirs + "attention.output.LayerNorm.bias"));
            out.put(ours + "mlp_expand_weight", transpose(g.weightOf(node + "intermediate/dense/MatMul")));
            out.put(ours + "mlp_expand_bias", g.tensor(theirs + "intermediate.dense.bias"));
            out.put(ours + "mlp_contract_weight", transpose(g.weightOf(node + "output/dense/MatMul")));
            out.put(ours + "mlp_contract_bias", g.tensor(theirs + "output.dense.bias"));
            out.put(ours + "mlp_norm_gain", g.tensor(theirs + "output.LayerNorm.weight"));
            out.put(ours + "mlp_norm_bias", g.tensor(theirs + "output.LayerNorm.bias"));
        }
        return out;
    }

    /** (R, C) + row 0 of (T, C), to every row -> (R, C). */
    static Tensor addRow(Tensor m, Tensor rows) {
        int c = (int) m.shape()[1];
        float[] v = m.values().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] += rows.values()[i % c];
        }
        return new Tensor(m.shape(), v);
    }

    /** (R, C) -> its first n rows (n, C). */
    static Tensor firstRows(Tensor m, int n) {
        long c = m.shape()[1];
        return new Tensor(new long[] {n, c}, java.util.Arrays.copyOf(m.values(), (int) (n * c)));
    }

    /** (R, C) -> (C, R). */
    static Tensor transpose(Tensor m) {
        int r = (int) m.shape()[0];
        int c = (int) m.shape()[1];
        float[] v = new float[r * c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                v[j * r + i] = m.values()[i * c + j];
            }
        }
        return new Tensor(new long[] {c, r}, v);
    }

    /** Tensors of equal trailing shape, one after the other along the first axis. */
    static Tensor stack(Tensor... parts) {
        long rows = 0;
        int size = 0;
        for (Tensor p : parts) {
            rows += p.shape()[0];
            size += p.values().length;
        }
        float[] v = new float[size];
        int at = 0;
        for (Tensor p : parts) {
            System.arraycopy(p.values(), 0, v, at, p.values().length);
            at += p.values().length;
        }
        long[] shape = parts[0].shape().clone();
        shape[0] = rows;
        return new Tensor(shape, v);
    }
}
