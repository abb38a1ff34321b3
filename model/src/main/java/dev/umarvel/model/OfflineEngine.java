package dev.umarvel.model;

import ai.djl.engine.Engine;

/**
 * The PyTorch engine, loaded from the {@code pytorch-native-cpu} jar on the class path and never
 * from the network.
 *
 * <p>Machines behind firewalls (and our build machines) cannot download native libraries, so the
 * platform sets {@code ai.djl.offline=true} before DJL first looks for its engine: a missing native
 * library then fails at once with a clear message instead of hanging on a download. A caller who
 * really wants DJL to download may set {@code ai.djl.offline=false} explicitly.
 */
public final class OfflineEngine {

    /** The DJL engine name of PyTorch. */
    public static final String PYTORCH = "PyTorch";

    private OfflineEngine() {}

    /**
     * Returns the PyTorch engine, forbidding downloads unless the caller allowed them.
     *
     * @throws IllegalStateException if the engine cannot be loaded from the class path
     */
    public static Engine pytorch() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        try {
            return Engine.getEngine(PYTORCH);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "PyTorch engine unavailable: ai.djl.pytorch:pytorch-native-cpu (classifier "
                            + "linux-x86_64) must be on the class path; nothing is downloaded at run time",
                    e);
        }
    }
}
