package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** The two-layer MLP that maps vision features into the language model's width (LLaVA-style). */
public final class Projector extends ConfiguredBlock {

    private final LoraLinear in;
    private final LoraLinear out;

    Projector(int visionWidth, int width) {
        this.in = addChildBlock("in", new LoraLinear(visionWidth, width, true));
        this.out = addChildBlock("out", new LoraLinear(width, width, true));
    }

    /** (N, P, Dv) -> (N, P, D) */
    NDArray apply(ParameterStore ps, NDArray features, boolean training) {
        return out.apply(ps, Activation.gelu(in.apply(ps, features, training)), training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, in.singletonOrThrow(), training));
    }
}
