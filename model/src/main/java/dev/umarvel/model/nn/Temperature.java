package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The InfoNCE temperature tau as a raw trainable scalar (logits = cos / tau), initialised to 0.05
 * as in the released code. Saved with the model, like the original's {@code sim} module.
 *
 * <p>Clamp (documented deviation): the value used is clipped to [0.01, 1]. Unclamped, a learnable
 * tau on our small batches can walk to zero or below in a bad step, and logits then overflow.
 */
public final class Temperature extends ConfiguredBlock {

    /** The paper's initial (and, in stages 1-2, fixed) temperature. */
    public static final float INITIAL = 0.05f;
    public static final float MIN = 0.01f;
    public static final float MAX = 1f;

    private final Parameter tau;

    Temperature() {
        this.tau = constant("tau", Parameter.Type.WEIGHT, INITIAL, 1);
    }

    /** tau, shape (1,), clipped to [MIN, MAX]. */
    public NDArray value(ParameterStore ps, NDArray like, boolean training) {
        return ps.getValue(tau, like.getDevice(), training).clip(MIN, MAX);
    }

    /** The current value, for progress reports. */
    public float current() {
        return Math.max(MIN, Math.min(MAX, tau.getArray().getFloat(0)));
    }

    /** Sets tau (e.g. a job's temperature_init) without touching its trainability. */
    public void set(float value) {
        try (NoGrad g = NoGrad.scope(); NDArray fromJava = tau.getArray().getManager().create(new float[] {value})) {
            NDArray a = tau.getArray();
            a.intern(fromJava.duplicate()); // natively owned: see Checkpoint.loadParameters
            a.setRequiresGradient(tau.requiresGradient());
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(value(ps, in.singletonOrThrow(), training));
    }
}
