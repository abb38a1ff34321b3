package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** The position-wise MLP of a transformer layer: expand, GELU, project back. */
public final class FeedForward extends ConfiguredBlock {

    private final LoraLinear expand;
    private final LoraLinear contract;

    FeedForward(int width, int hidden) {
        this.expand = addChildBlock("expand", new LoraLinear(width, hidden, true));
        this.contract = addChildBlock("contract", new LoraLinear(hidden, width, true));
    }

    /** (B, T, D) -> (B, T, D) */
    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        return contract.apply(ps, Activation.gelu(expand.apply(ps, x, training)), training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, in.singletonOrThrow(), training));
    }
}
