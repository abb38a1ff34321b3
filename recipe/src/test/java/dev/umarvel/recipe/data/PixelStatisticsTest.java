package dev.umarvel.recipe.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.umarvel.mbeir.MbeirLayout;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The channel statistics come from the training images alone, and are exactly their mean and deviation. */
class PixelStatisticsTest {

    @TempDir
    Path root;

    @Test
    void meanAndDeviationOfTheTrainingImagesOnly() throws Exception {
        MbeirLayout layout = new MbeirLayout(root);
        solid("img/red.png", Color.RED);
        solid("img/blue.png", Color.BLUE);
        solid("img/white.png", Color.WHITE);
        solid("img/black.png", Color.BLACK);
        Files.createDirectories(layout.captionImagePairs().getParent());
        Files.writeString(layout.captionImagePairs(),
                "{\"query\":{\"txt\":\"a red picture\",\"img_path\":null},\"pos\":{\"txt\":null,\"img_path\":\"img/red.png\"}}\n"
                + "{\"query\":{\"txt\":\"a blue picture\",\"img_path\":null},\"pos\":{\"txt\":null,\"img_path\":\"img/blue.png\"}}\n"
                + "{\"query\":{\"txt\":\"red again\",\"img_path\":null},\"pos\":{\"txt\":null,\"img_path\":\"img/red.png\"}}\n");
        pool(layout.unionPool(MbeirLayout.TRAIN), "img/white.png");
        pool(layout.unionPool(MbeirLayout.VAL), "img/black.png");  // never measured: an evaluation image
        pool(layout.unionPool(MbeirLayout.TEST), "img/black.png");

        assertEquals(List.of("img/red.png", "img/blue.png", "img/white.png"), PixelStatistics.trainingImages(layout));
        PixelStatistics s = PixelStatistics.measure(layout, 4);
        // R: red +1, blue -1, white +1; G: -1, -1, +1; B: -1, +1, +1 (each image once, however often it is paired)
        float third = 1f / 3;
        float deviation = (float) Math.sqrt(8.0 / 9);
        assertEquals(3, s.images());
        assertArrayEquals(new float[] {third, -third, third}, s.mean(), 1e-6f);
        assertArrayEquals(new float[] {deviation, deviation, deviation}, s.std(), 1e-6f);
    }

    @Test
    void aChannelThatNeverVariesIsDividedByTheFloorAndNoImageMeansIdentity() throws Exception {
        MbeirLayout layout = new MbeirLayout(root);
        assertArrayEquals(new float[] {0, 0, 0}, PixelStatistics.measure(layout, 4).mean());
        assertArrayEquals(new float[] {1, 1, 1}, PixelStatistics.measure(layout, 4).std());
        solid("img/red.png", Color.RED);
        pool(layout.unionPool(MbeirLayout.TRAIN), "img/red.png");
        PixelStatistics s = PixelStatistics.measure(layout, 4);
        assertArrayEquals(new float[] {1, -1, -1}, s.mean(), 1e-6f);
        assertArrayEquals(new float[] {PixelStatistics.MIN_STD, PixelStatistics.MIN_STD, PixelStatistics.MIN_STD}, s.std(), 0f);
    }

    private void solid(String relative, Color colour) throws Exception {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                image.setRGB(x, y, colour.getRGB());
            }
        }
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    private static void pool(Path file, String image) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"txt\":null,\"img_path\":\"" + image + "\",\"modality\":\"image\",\"did\":\"0:1\",\"src_content\":null}\n");
    }
}
