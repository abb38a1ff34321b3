package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.umarvel.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The language model: token and position embeddings, transformer layers, and an LM head tied to the
 * token embedding. Our own layout (pre-norm layers, a final norm) or an imported BERT's (a norm over
 * the summed embeddings, post-norm layers, no final norm); see {@link ModelConfig.Layout}.
 */
public final class LanguageModel extends ConfiguredBlock {

    /** The exact-match embedding's parameter name: checkpoints written before it load with it at zero. */
    public static final String MATCH_EMBEDDING = "match_embedding";

    private final Parameter tokens;
    private final Parameter positions;
    private final Parameter match;
    private final List<TransformerLayer> layers = new ArrayList<>();
    private final LayerNorm embeddingNorm; // BERT: over token + position (+ image) embeddings; else null
    private final LayerNorm norm;          // pre-norm: after the last layer; else null

    LanguageModel(ModelConfig c) {
        boolean bert = c.layout() == ModelConfig.Layout.BERT;
        this.tokens = weight("token_embedding", INIT_STD, c.vocabSize(), c.width());
        this.positions = weight("position_embedding", INIT_STD, c.maxTokens(), c.width());
        // added to a reranker candidate's text token that also occurs in its query's text (DrQA's exact-match feature): a
        // lexical signal a cross-encoder learned from scratch cannot find in a few hundred steps. Zero until the reranker
        // stage trains it, so a model that never saw a flag (every embedder, an imported encoder) computes what it did.
        this.match = constant(MATCH_EMBEDDING, Parameter.Type.WEIGHT, 0f, 1, c.width());
        this.embeddingNorm = bert ? addChildBlock("embedding_norm", new LayerNorm(c.width(), c.layout().eps())) : null;
        for (int i = 0; i < c.layers(); i++) {
            layers.add(addChildBlock("layer" + i, new TransformerLayer(c.width(), c.heads(), c.mlpWidth(), c.dropout(), c.layout())));
        }
        this.norm = bert ? null : addChildBlock("norm", new LayerNorm(c.width(), c.layout().eps()));
    }

    /**
     * ids (B, T) int64, bias (B, 1, T, T), images (B, T, D) or null, matched (B, T) 0/1 or null -> hidden states (B, T, D).
     * Image features are added onto the embeddings of the {@code <image>} placeholder tokens, the exact-match
     * embedding onto the flagged tokens.
     */
    NDArray apply(ParameterStore ps, NDArray ids, NDArray bias, NDArray images, NDArray matched, boolean training) {
        long t = ids.getShape().get(1);
        NDArray x = embed(ps, ids, ids.getManager().arange(0, t, 1, DataType.INT64), images, matched, training);
        for (TransformerLayer layer : layers) {
            x = layer.apply(ps, x, bias, training);
        }
        return norm == null ? x : norm.apply(ps, x);
    }

    /** Every layer's keys and values of a batch of prefixes, (G, H, P, Dh) each. */
    record Cache(List<NDArray> keys, List<NDArray> values) {}

    /**
     * The prefixes' pass: ids (G, P), causal bias (G, 1, P, P), images (G, P, D) or null -> the keys
     * and values each layer computed, for suffixes to attend to.
     */
    Cache prefix(ParameterStore ps, NDArray ids, NDArray bias, NDArray images) {
        long p = ids.getShape().get(1);
        NDArray x = embed(ps, ids, ids.getManager().arange(0, p, 1, DataType.INT64), images, null, false);
        List<NDArray> keys = new ArrayList<>();
        List<NDArray> values = new ArrayList<>();
        for (TransformerLayer layer : layers) {
            NDList out = layer.applyCached(ps, x, bias, null, null);
            x = out.get(0);
            keys.add(out.get(1));
            values.add(out.get(2));
        }
        return new Cache(keys, values);
    }

    /**
     * The suffixes' pass over cached prefixes: ids (N, S), positions (N, S) (each row continues its
     * prefix), bias (N, 1, S, P + S), images (N, S, D) or null, prefixOf (N) the prefix row each
     * suffix extends, matched (N, S) or null -> hidden states (N, S, D).
     */
    NDArray suffix(ParameterStore ps, NDArray ids, NDArray positions, NDArray bias, NDArray images, NDArray matched, Cache cache,
            NDArray prefixOf) {
        NDArray x = embed(ps, ids, positions, images, matched, false);
        for (int i = 0; i < layers.size(); i++) {
            NDArray keys = cache.keys().get(i).get(new ai.djl.ndarray.index.NDIndex("{}", prefixOf));     // (N, H, P, Dh)
            NDArray values = cache.values().get(i).get(new ai.djl.ndarray.index.NDIndex("{}", prefixOf));
            x = layers.get(i).applyCached(ps, x, bias, keys, values).get(0);
        }
        return norm == null ? x : norm.apply(ps, x);
    }

    /**
     * The layers' input: tokens + positions (+ image features, added as a pretrained model's inputs_embeds, before its norm;
     * + exact-match flags): ids (B, T), positions (T) or (B, T) -> (B, T, D).
     */
    private NDArray embed(ParameterStore ps, NDArray ids, NDArray positions, NDArray images, NDArray matched, boolean training) {
        NDArray table = ps.getValue(tokens, ids.getDevice(), training);
        NDArray x = ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();       // (B, T, D)
        NDArray pos = ps.getValue(this.positions, ids.getDevice(), training);
        x = x.add(positions.getNDArrayInternal().embedding(positions, pos, SparseFormat.DENSE).singletonOrThrow());
        x = images == null ? x : x.add(images);
        x = addMatch(ps, x, matched, training);
        return embeddingNorm == null ? x : embeddingNorm.apply(ps, x);
    }

    /** x (B, T, D) + matched (B, T) x the exact-match embedding (1, D); x itself when nothing is flagged. */
    private NDArray addMatch(ParameterStore ps, NDArray x, NDArray matched, boolean training) {
        if (matched == null) {
            return x;
        }
        return x.add(matched.expandDims(-1).mul(ps.getValue(match, x.getDevice(), training)));       // (B, T, 1) * (1, D)
    }

    /** hidden (..., D) -> next-token logits (..., V), through the tied embedding. */
    NDArray logits(ParameterStore ps, NDArray hidden, boolean training) {
        NDArray table = ps.getValue(tokens, hidden.getDevice(), training);
        return hidden.getNDArrayInternal().linear(hidden, table, null).singletonOrThrow();
    }

    /** The LoRA-capable linear layers: every linear layer of the language model. */
    List<LoraLinear> linears() {
        List<LoraLinear> out = new ArrayList<>();
        collect(this, out);
        return out;
    }

    private static void collect(ai.djl.nn.Block block, List<LoraLinear> out) {
        for (ai.djl.nn.Block child : block.getChildren().values()) {
            if (child instanceof LoraLinear l) {
                out.add(l);
            } else {
                collect(child, out);
            }
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, in.get(0), in.get(1), in.size() > 2 ? in.get(2) : null, null, training));
    }
}
