package dev.umarvel.model.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch's gradient recording off on this thread until closed, then restores it.
 *
 * <p>Grad mode is per thread in PyTorch and on by default; DJL switches it off only on the thread
 * that started the engine, so inference on server threads must say so itself or every op would
 * build an autograd graph around the trainable parameters.
 */
public final class NoGrad implements AutoCloseable {

    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    /** Starts a no-gradient scope: {@code try (NoGrad g = NoGrad.scope()) { ... }}. */
    public static NoGrad scope() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
