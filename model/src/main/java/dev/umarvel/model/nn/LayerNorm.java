package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Layer normalisation over the last axis, with a gain and a bias. */
public final class LayerNorm extends ConfiguredBlock {

    private final int width;
    private final float eps;
    private final Parameter gain;
    private final Parameter bias;

    /** {@code eps}: what the weights were trained with (1e-5 ours, 1e-12 an imported BERT's). */
    LayerNorm(int width, float eps) {
        this.width = width;
        this.eps = eps;
        this.gain = constant("gain", Parameter.Type.GAMMA, 1f, width);
        this.bias = constant("bias", Parameter.Type.BETA, 0f, width);
    }

    /** (..., width) -> (..., width) */
    NDArray apply(ParameterStore ps, NDArray x) {
        NDArray g = ps.getValue(gain, x.getDevice(), false);
        NDArray b = ps.getValue(bias, x.getDevice(), false);
        return x.getNDArrayInternal().layerNorm(x, new Shape(width), g, b, eps).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow()));
    }
}
