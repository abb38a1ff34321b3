package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head self-attention. Who may see whom is decided by the additive bias the caller passes
 * (0 = visible, a large negative number = hidden): the same block serves causal and bidirectional
 * attention, and padding is hidden either way.
 */
public final class SelfAttention extends ConfiguredBlock {

    private final int width;
    private final int heads;
    private final LoraLinear qkv;
    private final LoraLinear proj;

    SelfAttention(int width, int heads) {
        this.width = width;
        this.heads = heads;
        this.qkv = addChildBlock("qkv", new LoraLinear(width, 3 * width, true));
        this.proj = addChildBlock("proj", new LoraLinear(width, width, true));
    }

    /** x (B, T, D), bias (B, 1, T, T) or null when every position sees every other -> (B, T, D) */
    NDArray apply(ParameterStore ps, NDArray x, NDArray bias, boolean training) {
        return attend(ps, x, bias, null, null, training).get(0);
    }

    /**
     * Attention that may extend earlier keys and values (a cached prefix): x (B, T, D), pastKeys and
     * pastValues (B, H, P, Dh) or null, bias (B, 1, T, P + T) -> [out (B, T, D), keys (B, H, P + T, Dh),
     * values (B, H, P + T, Dh)].
     */
    NDList attend(ParameterStore ps, NDArray x, NDArray bias, NDArray pastKeys, NDArray pastValues, boolean training) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        int headWidth = width / heads;

        NDArray qkvAll = qkv.apply(ps, x, training)              // (B, T, 3D)
                .reshape(b, t, 3, heads, headWidth)                // (B, T, 3, H, Dh)
                .transpose(2, 0, 3, 1, 4);                         // (3, B, H, T, Dh)
        NDList parts = qkvAll.split(3, 0);
        NDArray q = parts.get(0).squeeze(0);                       // (B, H, T, Dh)
        NDArray k = parts.get(1).squeeze(0);
        NDArray v = parts.get(2).squeeze(0);
        if (pastKeys != null) {
            k = pastKeys.concat(k, 2);                             // (B, H, P + T, Dh)
            v = pastValues.concat(v, 2);
        }

        NDArray scores = q.mul(scalar(q, (float) (1 / Math.sqrt(headWidth)))) // scale the smaller operand
                .matMul(k.transpose(0, 1, 3, 2));                  // (B, H, T, P + T)
        if (bias != null) {
            scores = scores.add(bias);                             // broadcast over heads
        }
        NDArray mixed = scores.softmax(-1).matMul(v);              // (B, H, T, Dh)
        NDArray merged = mixed.transpose(0, 2, 1, 3).reshape(b, t, width); // (B, T, D)
        return new NDList(proj.apply(ps, merged, training), k, v);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, in.get(0), in.get(1), training));
    }
}
