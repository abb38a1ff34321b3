package dev.umarvel.recipe.data;

import java.util.Random;

/**
 * A second view of an image for the image-to-image term of the cross-modal stage (SimCLR's idea,
 * with the mildest of its augmentations): the picture shifted by at most {@link #MAX_SHIFT_SHARE} of
 * its side in each direction (edges repeated) and each colour channel moved by at most
 * {@link #MAX_SHADE}. A model that must tell a view's source apart from 63 other images learns the
 * details that make an image itself (shape, colour, place) and to ignore a pixel's shift, which is
 * what near-copy retrieval (NIGHTS, OVEN and InfoSeek image-to-image tasks) asks.
 */
public final class ImageViews {

    /** Shift of up to 1/32 of the side: one pixel at 32x32, two at 64x64. */
    static final double MAX_SHIFT_SHARE = 1.0 / 32;

    /** Channel offset on the decoder's [-1, 1] scale: 4 % of the range. */
    static final float MAX_SHADE = 0.08f;

    private ImageViews() {}

    /** pixels (3, S, S) channel-major in [-1, 1] -> a shifted, re-shaded copy (3, S, S) in [-1, 1]. */
    public static float[] view(float[] pixels, int side, Random random) {
        if (pixels.length != 3 * side * side) {
            throw new IllegalArgumentException("expected 3 x " + side + " x " + side + " values, got " + pixels.length);
        }
        int max = Math.max(1, (int) Math.round(side * MAX_SHIFT_SHARE));
        int dx = random.nextInt(2 * max + 1) - max;
        int dy = random.nextInt(2 * max + 1) - max;
        float[] out = new float[pixels.length];
        for (int c = 0; c < 3; c++) {
            float shade = (random.nextFloat() * 2 - 1) * MAX_SHADE;
            for (int y = 0; y < side; y++) {
                int sy = Math.min(side - 1, Math.max(0, y - dy));
                for (int x = 0; x < side; x++) {
                    int sx = Math.min(side - 1, Math.max(0, x - dx));
                    float v = pixels[(c * side + sy) * side + sx] + shade;
                    out[(c * side + y) * side + x] = Math.max(-1f, Math.min(1f, v));
                }
            }
        }
        return out;
    }
}
