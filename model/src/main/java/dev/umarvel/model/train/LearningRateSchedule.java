package dev.umarvel.model.train;

/**
 * Linear warm-up to the peak, then cosine decay to zero, as in every stage of the recipe
 * (warm-up ratio 0.03).
 *
 * @param peak learning rate after warm-up
 * @param totalSteps steps of the whole run
 * @param warmupRatio fraction of the steps spent warming up
 */
public record LearningRateSchedule(double peak, long totalSteps, double warmupRatio) {

    public LearningRateSchedule {
        if (!(peak > 0) || totalSteps < 1 || !(warmupRatio >= 0 && warmupRatio <= 0.5)) {
            throw new IllegalArgumentException("need peak > 0, totalSteps >= 1, warmupRatio in [0, 0.5]");
        }
    }

    /** The learning rate for step {@code step} (0-based). */
    public float at(long step) {
        long warmup = (long) Math.ceil(totalSteps * warmupRatio);
        if (step < warmup) {
            return (float) (peak * (step + 1) / warmup);
        }
        double progress = (double) (step - warmup) / Math.max(1, totalSteps - warmup);
        return (float) (peak * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
    }

    /**
     * A learning rate moved to a batch size other than the one it was tuned for: the paper speaks
     * of square-root scaling, the released code scales linearly.
     */
    public static double scale(double lr, int batch, int referenceBatch, boolean linear) {
        double ratio = (double) batch / referenceBatch;
        return lr * (linear ? ratio : Math.sqrt(ratio));
    }
}
