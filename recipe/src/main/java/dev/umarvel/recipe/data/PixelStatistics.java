package dev.umarvel.recipe.data;

import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The mean and standard deviation of each colour channel over the training images (on the decoder's [-1, 1]
 * scale): what a new model's vision tower standardises its input with. Training images only (the caption-image
 * pairs and the training pool), never a validation or test image.
 *
 * @param mean per channel R, G, B
 * @param std per channel, at least {@link #MIN_STD}
 * @param images how many images were measured (0: no training image, identity statistics)
 */
public record PixelStatistics(float[] mean, float[] std, int images) {

    /** Images measured at most, spread evenly over the training images: enough for 3 means to 3 decimals. */
    static final int SAMPLE = 2000;

    /** A channel that never varies (a grey dataset's) is divided by this, not by 0. */
    static final float MIN_STD = 1e-2f;

    /** Mean 0 and deviation 1: the input as decoded. */
    public static PixelStatistics identity() {
        return new PixelStatistics(new float[3], new float[] {1, 1, 1}, 0);
    }

    /** The statistics of a dataset's training images, decoded at the model's image size. */
    public static PixelStatistics measure(MbeirLayout layout, int imageSize) throws IOException {
        List<String> paths = trainingImages(layout);
        if (paths.isEmpty()) {
            return identity();
        }
        ImageLoader loader = new ImageLoader(layout.root(), imageSize);
        int n = Math.min(SAMPLE, paths.size());
        double[] sum = new double[3];
        double[] squares = new double[3];
        long perChannel = 0;
        for (int i = 0; i < n; i++) {
            float[] pixels = loader.image(paths.get((int) ((long) i * paths.size() / n))); // (3, S, S)
            int plane = pixels.length / 3;
            for (int c = 0; c < 3; c++) {
                for (int p = c * plane; p < (c + 1) * plane; p++) {
                    sum[c] += pixels[p];
                    squares[c] += (double) pixels[p] * pixels[p];
                }
            }
            perChannel += plane;
        }
        float[] mean = new float[3];
        float[] std = new float[3];
        for (int c = 0; c < 3; c++) {
            double m = sum[c] / perChannel;
            mean[c] = (float) m;
            std[c] = (float) Math.max(MIN_STD, Math.sqrt(Math.max(0, squares[c] / perChannel - m * m)));
        }
        return new PixelStatistics(mean, std, n);
    }

    /** Distinct image paths of the caption-image pairs, then of the training pool, in file order. */
    static List<String> trainingImages(MbeirLayout layout) throws IOException {
        Set<String> paths = new LinkedHashSet<>();
        if (Files.exists(layout.captionImagePairs())) {
            for (PairFile.Pair p : PairFile.read(layout.captionImagePairs())) {
                add(paths, p.query().imagePath());
                add(paths, p.positive().imagePath());
            }
        }
        if (Files.exists(layout.unionPool(MbeirLayout.TRAIN))) {
            try (Stream<MbeirCandidate> pool = Jsonl.candidates(layout.unionPool(MbeirLayout.TRAIN))) {
                pool.forEach(c -> add(paths, c.imgPath()));

            }
        }
        return new ArrayList<>(paths);
    }

    private static void add(Set<String> paths, String path) {
        if (path != null) {
            paths.add(path);
        }
    }
}
