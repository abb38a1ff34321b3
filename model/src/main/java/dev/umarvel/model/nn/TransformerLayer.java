package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A pre-norm transformer layer: x + attention(norm(x)), then x + mlp(norm(x)). */
public final class TransformerLayer extends ConfiguredBlock {

    private final LayerNorm attentionNorm;
    private final SelfAttention attention;
    private final LayerNorm mlpNorm;
    private final FeedForward mlp;
    private final float dropout;

    TransformerLayer(int width, int heads, int mlpWidth, float dropout) {
        this.attentionNorm = addChildBlock("attention_norm", new LayerNorm(width));
        this.attention = addChildBlock("attention", new SelfAttention(width, heads));
        this.mlpNorm = addChildBlock("mlp_norm", new LayerNorm(width));
        this.mlp = addChildBlock("mlp", new FeedForward(width, mlpWidth));
        this.dropout = dropout;
    }

    /** x (B, T, D), bias (B, 1, T, T) or null (no masking) -> (B, T, D) */
    NDArray apply(ParameterStore ps, NDArray x, NDArray bias, boolean training) {
        NDArray attended = attention.apply(ps, attentionNorm.apply(ps, x), bias, training);
        x = x.add(drop(attended, training));
        NDArray transformed = mlp.apply(ps, mlpNorm.apply(ps, x), training);
        return x.add(drop(transformed, training));
    }

    /**
     * The layer over a cached prefix (inference): x (B, T, D), the prefix's keys and values
     * (B, H, P, Dh) or null, bias (B, 1, T, P + T) -> [x (B, T, D), keys, values (B, H, P + T, Dh)].
     */
    NDList applyCached(ParameterStore ps, NDArray x, NDArray bias, NDArray pastKeys, NDArray pastValues) {
        NDList attended = attention.attend(ps, attentionNorm.apply(ps, x), bias, pastKeys, pastValues, false);
        x = x.add(attended.get(0));
        x = x.add(mlp.apply(ps, mlpNorm.apply(ps, x), false));
        return new NDList(x, attended.get(1), attended.get(2));
    }

    private NDArray drop(NDArray x, boolean training) {
        return training && dropout > 0 ? x.getNDArrayInternal().dropout(x, dropout, true).singletonOrThrow() : x;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, in.get(0), in.get(1), training));
    }
}
