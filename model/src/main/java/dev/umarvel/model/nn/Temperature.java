package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The InfoNCE temperature tau (logits = cos / tau), learned as log tau as CLIP learns its logit scale:
 * a step moves tau by a fraction of itself, so a small tau is neither overshot to zero nor stuck, and the
 * gradient is the same at 0.01 as at 0.5. Initialised to 0.05 as in the released code; saved with the model,
 * like the original's {@code sim} module.
 *
 * <p>The value used is clipped to [0.01, 1] (documented deviation): below 0.01, the logits of our small
 * batches overflow in a bad step.
 */
public final class Temperature extends ConfiguredBlock {

    /** The paper's initial (and, in stages 1-2, fixed) temperature. */
    public static final float INITIAL = 0.05f;
    public static final float MIN = 0.01f;
    public static final float MAX = 1f;

    private final Parameter logTau;

    Temperature() {
        this.logTau = constant("log_tau", Parameter.Type.WEIGHT, (float) Math.log(INITIAL), 1);
    }

    /** tau = exp(log tau), shape (1,), clipped to [MIN, MAX]. */
    public NDArray value(ParameterStore ps, NDArray like, boolean training) {
        return ps.getValue(logTau, like.getDevice(), training).exp().clip(MIN, MAX);
    }

    /** The current value, for progress reports. */
    public float current() {
        return (float) Math.max(MIN, Math.min(MAX, Math.exp(logTau.getArray().getFloat(0))));
    }

    /** Sets tau (e.g. a job's temperature_init) without touching its trainability. */
    public void set(float value) {
        try (NoGrad g = NoGrad.scope(); NDArray fromJava = logTau.getArray().getManager().create(new float[] {(float) Math.log(value)})) {
            NDArray a = logTau.getArray();
            a.intern(fromJava.duplicate()); // natively owned: see Checkpoint.loadParameters
            a.setRequiresGradient(logTau.requiresGradient());
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(value(ps, in.singletonOrThrow(), training));
    }
}
