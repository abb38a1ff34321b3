package dev.umarvel.bench;

import dev.umarvel.model.ModelConfig;

/**
 * Floating-point operations of a forward pass (2 per multiply-add), counted from the shapes the
 * machine actually computes (padded length), so achieved GFLOP/s measures the hardware's use.
 */
final class ModelFlops {

    private ModelFlops() {}

    /** One transformer layer over {@code t} positions of width {@code d}, feed-forward width {@code m}. */
    static double layer(long t, long d, long m) {
        double projections = 2.0 * t * d * (3 * d) + 2.0 * t * d * d + 2.0 * 2 * t * d * m;
        double attention = 2.0 * t * t * d * 2; // scores and mixing
        return projections + attention;
    }

    /** The vision tower and projector on {@code images} images. */
    static double vision(ModelConfig c, long images) {
        long p = c.imageTokens();
        double perImage = 2.0 * p * c.patchValues() * c.visionWidth()
                + c.visionLayers() * layer(p, c.visionWidth(), 4L * c.visionWidth())
                + 2.0 * p * c.visionWidth() * c.width() + 2.0 * p * c.width() * c.width();
        return images * perImage;
    }

    /** The language model on {@code batch} sequences padded to {@code time}. */
    static double language(ModelConfig c, long batch, long time) {
        return batch * c.layers() * layer(time, c.width(), c.mlpWidth());
    }
}
