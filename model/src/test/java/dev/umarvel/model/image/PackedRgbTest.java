package dev.umarvel.model.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The raster fast path gives exactly what {@link BufferedImage#getRGB} gives, for every image type it takes. */
class PackedRgbTest {

    private static BufferedImage random(int type, Random r) {
        BufferedImage image = new BufferedImage(37, 23, type); // odd sizes: no stride happens to line up
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, r.nextInt()); // random alpha too, where the type keeps it
            }
        }
        return image;
    }

    private static int[] viaGetRgb(BufferedImage image) {
        return Arrays.stream(image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth())).map(v -> v & 0xffffff)
                .toArray();
    }

    private static int[] rgbOnly(int[] packed) {
        return Arrays.stream(packed).map(v -> v & 0xffffff).toArray();
    }

    @Test
    void everyColourTypeMatchesGetRgb() {
        Random r = new Random(5);
        int[] types = {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB,
                BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_INT_ARGB_PRE, BufferedImage.TYPE_4BYTE_ABGR_PRE, BufferedImage.TYPE_USHORT_565_RGB,
                BufferedImage.TYPE_BYTE_INDEXED};
        for (int type : types) {
            BufferedImage image = random(type, r);
            assertArrayEquals(viaGetRgb(image), rgbOnly(ImageDecoder.packedRgb(image)), "image type " + type);
        }
    }

    @Test
    void decodedPngsWithAndWithoutAlphaMatchGetRgb() throws Exception {
        Random r = new Random(6);
        for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB}) {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(random(type, r), "png", png);
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png.toByteArray())); // 3BYTE_BGR / 4BYTE_ABGR
            assertArrayEquals(viaGetRgb(decoded), rgbOnly(ImageDecoder.packedRgb(decoded)), "decoded type " + decoded.getType());
        }
    }
}
