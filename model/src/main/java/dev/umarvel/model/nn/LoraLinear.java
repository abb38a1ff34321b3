package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Random;

/**
 * A linear layer y = x W^T + b that can carry a LoRA adapter: y += (alpha / r) * drop(x) A^T B^T.
 *
 * <p>B starts at zero, so a freshly attached adapter leaves the layer's output unchanged; merging
 * folds (alpha / r) B A into W, after which the adapter is gone and the next stage may attach a new
 * one of another rank (the progressive transition merges between stages).
 */
public final class LoraLinear extends ConfiguredBlock {

    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;
    private Parameter loraA; // (r, in), null without an adapter
    private Parameter loraB; // (out, r)
    private float loraScale;
    private float loraDropout;

    LoraLinear(int in, int out, boolean withBias) {
        this.in = in;
        this.out = out;
        this.weight = weight("weight", INIT_STD, out, in);
        this.bias = withBias ? constant("bias", Parameter.Type.BIAS, 0f, out) : null;
    }

    /** (..., in) -> (..., out) */
    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        NDArray y = x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
        if (loraA == null) {
            return y;
        }
        NDArray xd = training && loraDropout > 0 ? x.getNDArrayInternal().dropout(x, loraDropout, true).singletonOrThrow() : x;
        NDArray a = ps.getValue(loraA, x.getDevice(), training);
        NDArray bb = ps.getValue(loraB, x.getDevice(), training);
        NDArray down = xd.getNDArrayInternal().linear(xd, a, null).singletonOrThrow(); // (..., r)
        NDArray up = down.getNDArrayInternal().linear(down, bb, null).singletonOrThrow(); // (..., out)
        return y.add(up.mul(scalar(up, loraScale)));
    }

    /** Attaches a fresh adapter: A ~ U(-1/sqrt(in), 1/sqrt(in)) drawn from {@code seed}, B = 0. */
    void attachLora(NDManager manager, int rank, float alpha, float dropout, long seed) {
        if (loraA != null) {
            throw new IllegalStateException("a LoRA adapter is already attached; merge or detach it first");
        }
        int r = Math.min(rank, Math.min(in, out));
        float bound = (float) (1 / Math.sqrt(in));
        Random random = new Random(seed);
        float[] a = new float[r * in];
        for (int i = 0; i < a.length; i++) {
            a[i] = (random.nextFloat() * 2 - 1) * bound;
        }
        loraA = adapterParameter("lora_a", manager.create(a, new Shape(r, in)));
        loraB = adapterParameter("lora_b", manager.zeros(new Shape(out, r), DataType.FLOAT32));
        loraScale = alpha / r;
        loraDropout = dropout;
    }

    private Parameter adapterParameter(String name, NDArray value) {
        // Initialised from its own array (no shape set), so Parameter.initialize keeps the values.
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(value);
        value.setRequiresGradient(true);
        return addParameter(p);
    }

    /** Folds the adapter into W (W += scale * B A) and removes it. */
    void mergeLora() {
        if (loraA == null) {
            return;
        }
        NDArray w = weight.getArray();
        boolean trainable = weight.requiresGradient();
        try (NoGrad g = NoGrad.scope();
                NDArray delta = loraB.getArray().matMul(loraA.getArray());
                NDArray scaled = delta.mul(loraScale)) {
            w.intern(w.add(scaled)); // same NDArray object, new values: the Parameter keeps pointing at it
        }
        w.setRequiresGradient(trainable);
        detachLora();
    }

    /** Drops the adapter without merging. */
    void detachLora() {
        if (loraA == null) {
            return;
        }
        parameters.remove(loraA.getName());
        parameters.remove(loraB.getName());
        loraA.close();
        loraB.close();
        loraA = null;
        loraB = null;
    }

    boolean hasLora() {
        return loraA != null;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }
}
