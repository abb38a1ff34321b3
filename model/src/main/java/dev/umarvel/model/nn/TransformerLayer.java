package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.umarvel.model.ModelConfig;

/**
 * A transformer layer. Pre-norm (ours, GPT-2's): x + attention(norm(x)), then x + mlp(norm(x)). Post-norm
 * (an imported BERT's): norm(x + attention(x)), then norm(x + mlp(x)). The same two norms either way.
 */
public final class TransformerLayer extends ConfiguredBlock {

    private final LayerNorm attentionNorm;
    private final SelfAttention attention;
    private final LayerNorm mlpNorm;
    private final FeedForward mlp;
    private final float dropout;
    private final boolean postNorm;

    TransformerLayer(int width, int heads, int mlpWidth, float dropout, ModelConfig.Layout layout) {
        this.attentionNorm = addChildBlock("attention_norm", new LayerNorm(width, layout.eps()));
        this.attention = addChildBlock("attention", new SelfAttention(width, heads));
        this.mlpNorm = addChildBlock("mlp_norm", new LayerNorm(width, layout.eps()));
        this.mlp = addChildBlock("mlp", new FeedForward(width, mlpWidth));
        this.dropout = dropout;
        this.postNorm = layout == ModelConfig.Layout.BERT;
    }

    /** x (B, T, D), bias (B, 1, T, T) or null (no masking) -> (B, T, D) */
    NDArray apply(ParameterStore ps, NDArray x, NDArray bias, boolean training) {
        if (postNorm) {
            x = attentionNorm.apply(ps, x.add(drop(attention.apply(ps, x, bias, training), training)));
            return mlpNorm.apply(ps, x.add(drop(mlp.apply(ps, x, training), training)));
        }
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
        if (postNorm) {
            NDList attended = attention.attend(ps, x, bias, pastKeys, pastValues, false);
            x = attentionNorm.apply(ps, x.add(attended.get(0)));
            x = mlpNorm.apply(ps, x.add(mlp.apply(ps, x, false)));
            return new NDList(x, attended.get(1), attended.get(2));
        }
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
