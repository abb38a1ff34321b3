package dev.umarvel.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.umarvel.model.io.TensorFile.Tensor;
import dev.umarvel.model.nn.NoGrad;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with global gradient-norm clipping, on PyTorch's fused update, keeping its own moments
 * by parameter name so that the whole state can be saved with a checkpoint and a resumed run
 * continues exactly where it stopped.
 */
public final class AdamW {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final float weightDecay;
    private final float clipNorm;
    private final Map<String, NDArray> means = new HashMap<>();
    private final Map<String, NDArray> variances = new HashMap<>();
    private long steps;

    /**
     * @param weightDecay decoupled weight decay (the recipe uses 0)
     * @param clipNorm global gradient-norm limit; 0 or less disables clipping
     */
    public AdamW(float weightDecay, float clipNorm) {
        this.weightDecay = weightDecay;
        this.clipNorm = clipNorm;
    }

    /**
     * Applies one update to every parameter with a gradient and clears the gradients.
     *
     * @return the global gradient norm before clipping
     */
    public float step(List<Pair<String, Parameter>> parameters, float learningRate) {
        steps++;
        try (NoGrad g = NoGrad.scope()) {
            double squares = 0;
            for (Pair<String, Parameter> p : parameters) {
                try (NDArray sq = p.getValue().getArray().getGradient().square(); NDArray sum = sq.sum()) {
                    squares += sum.getFloat();
                }
            }
            float norm = (float) Math.sqrt(squares);
            float rescale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1f;
            double coef1 = 1 - Math.pow(BETA1, steps);
            double coef2 = 1 - Math.pow(BETA2, steps);
            float corrected = (float) (learningRate * Math.sqrt(coef2) / coef1);
            for (Pair<String, Parameter> p : parameters) {
                NDArray weight = p.getValue().getArray();
                NDArray grad = weight.getGradient();
                NDArray mean = means.computeIfAbsent(p.getKey(), k -> weight.zerosLike());
                NDArray variance = variances.computeIfAbsent(p.getKey(), k -> weight.zerosLike());
                weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, mean, variance), new NDList(weight),
                        learningRate, corrected, weightDecay, rescale, -1f, BETA1, BETA2, EPSILON, false, true);
            }
            return norm;
        }
    }

    /** Updates applied so far. */
    public long steps() {
        return steps;
    }

    /** The moments by "m:name" / "v:name", and the step count under "steps". */
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("steps", new Tensor(new long[] {1}, new float[] {steps}));
        means.forEach((k, v) -> out.put("m:" + k, new Tensor(v.getShape().getShape(), v.toFloatArray())));
        variances.forEach((k, v) -> out.put("v:" + k, new Tensor(v.getShape().getShape(), v.toFloatArray())));
        return out;
    }

    /** Restores a state saved by {@link #state}, placing the moments beside their parameters. */
    public void restore(Map<String, Tensor> state, List<Pair<String, Parameter>> parameters) {
        Tensor count = state.get("steps");
        if (count == null) {
            throw new IllegalArgumentException("optimizer state has no step count");
        }
        steps = (long) count.values()[0]; // exact up to 2^24 steps
        for (Pair<String, Parameter> p : parameters) {
            NDArray weight = p.getValue().getArray();
            put(means, state.get("m:" + p.getKey()), p.getKey(), weight);
            put(variances, state.get("v:" + p.getKey()), p.getKey(), weight);
        }
    }

    private static void put(Map<String, NDArray> moments, Tensor saved, String name, NDArray like) {
        if (saved == null) {
            return; // this parameter had not been updated yet
        }
        NDArray old = moments.put(name, like.getManager().create(saved.values(), new Shape(saved.shape())));
        if (old != null) {
            old.close();
        }
    }
}
