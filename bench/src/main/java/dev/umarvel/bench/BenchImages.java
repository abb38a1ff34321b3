package dev.umarvel.bench;

import dev.umarvel.model.image.ImageDecoder;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** The images bench serving sends (64x64 PNGs: a disc on a background), and what decoding one costs. */
final class BenchImages {

    private BenchImages() {}

    /** Microseconds per image: {ImageDecoder, ImageIO.read and the same resize}, medians of 7 runs over the images. */
    static double[] decodeMicros(ImageDecoder decoder, List<byte[]> images) throws Exception {
        return new double[] {micros(images, png -> decoder.decode(png, "image/png")),
                micros(images, png -> decoder.pixels(ImageIO.read(new ByteArrayInputStream(png))))};
    }

    private interface Decode {
        void run(byte[] png) throws Exception;
    }

    /** Median microseconds per image of {@code decode}, over 20 rounds of the images. */
    private static double micros(List<byte[]> images, Decode decode) throws Exception {
        int rounds = 20;
        double seconds = Timing.median(3, 7, () -> {
            for (int r = 0; r < rounds; r++) {
                for (byte[] png : images) {
                    decode.run(png);
                }
            }
        });
        return seconds * 1e6 / (rounds * images.size());
    }

    /** A 64x64 PNG: a disc of one random colour on another. */
    static byte[] png(Random random) throws Exception {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(random.nextInt(1 << 24)));
        g.fillRect(0, 0, 64, 64);
        g.setColor(new Color(random.nextInt(1 << 24)));
        g.fillOval(random.nextInt(40), random.nextInt(40), 24, 24);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
