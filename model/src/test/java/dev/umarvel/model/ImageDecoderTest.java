package dev.umarvel.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.model.image.ImageDecoder;
import dev.umarvel.model.image.ImageRejectedException;
import dev.umarvel.model.image.ImageRejectedException.Reason;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

    private static byte[] encode(BufferedImage image, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out));
        return out.toByteArray();
    }

    private static BufferedImage halves(int type) {
        BufferedImage image = new BufferedImage(32, 32, type);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 16, 32);
        g.setColor(Color.BLUE);
        g.fillRect(16, 0, 16, 32);
        g.dispose();
        return image;
    }

    @Test
    void decodesColourPngIntoChannelMajorValuesInMinusOneToOne() throws Exception {
        float[] px = new ImageDecoder(16).decode(encode(halves(BufferedImage.TYPE_INT_RGB), "png"), "image/png");
        assertEquals(3 * 16 * 16, px.length);
        int plane = 256;
        assertEquals(1f, px[0], 1e-6);          // R of the left half
        assertEquals(-1f, px[2 * plane], 1e-6); // B of the left half
        assertEquals(-1f, px[15], 1e-6);        // R of the right half
        assertEquals(1f, px[2 * plane + 15], 1e-6);
    }

    @Test
    void greyJpegBecomesThreeEqualChannels() throws Exception {
        BufferedImage grey = new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 20; x++) {
                grey.getRaster().setSample(x, y, 0, 128); // the stored grey level, as a camera would write it
            }
        }
        float[] px = new ImageDecoder(8).decode(encode(grey, "jpg"), null);
        for (int i = 0; i < 64; i++) {
            assertEquals(px[i], px[64 + i], 1e-6);
            assertEquals(px[i], px[128 + i], 1e-6);
            assertEquals(0f, px[i], 0.03f);
        }
    }

    @Test
    void palettePngKeepsItsColours() throws Exception {
        BufferedImage indexed = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_INDEXED);
        Graphics2D g = indexed.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 16, 16);
        g.dispose();
        float[] px = new ImageDecoder(4).decode(encode(indexed, "png"), "image/png");
        assertEquals(1f, px[0], 1e-6);      // R
        assertEquals(-1f, px[16], 1e-6);    // G
        assertEquals(-1f, px[32], 1e-6);    // B
    }

    @Test
    void anOpaqueAlphaChannelChangesNothing() throws Exception {
        byte[] argb = encode(halves(BufferedImage.TYPE_INT_ARGB), "png");
        byte[] rgb = encode(halves(BufferedImage.TYPE_INT_RGB), "png");
        assertFalse(java.util.Arrays.equals(argb, rgb), "two encodings: RGBA and RGB");
        assertArrayEquals(new ImageDecoder(12).decode(rgb, ""), new ImageDecoder(12).decode(argb, ""));
    }

    @Test
    void aHeaderClaimingAHugeImageIsRefusedBeforeDecoding() throws Exception {
        byte[] png = encode(halves(BufferedImage.TYPE_INT_RGB), "png");
        // Rewrite the IHDR width and height to 100000 x 100000 (and fix its CRC): a decompression bomb's header.
        ByteBuffer buf = ByteBuffer.wrap(png);
        buf.putInt(16, 100_000).putInt(20, 100_000);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        buf.putInt(29, (int) crc.getValue());
        ImageRejectedException e = assertThrows(ImageRejectedException.class, () -> new ImageDecoder(16).decode(png, null));
        assertEquals(Reason.TOO_MANY_PIXELS, e.reason(), e.getMessage());
    }

    @Test
    void limitsAndBadInputHaveTheirOwnReasons() throws Exception {
        byte[] png = encode(halves(BufferedImage.TYPE_INT_RGB), "png");
        assertEquals(Reason.TOO_MANY_BYTES, assertThrows(ImageRejectedException.class,
                () -> new ImageDecoder(16, 10, 1 << 20).decode(png, null)).reason());
        assertEquals(Reason.TOO_MANY_PIXELS, assertThrows(ImageRejectedException.class,
                () -> new ImageDecoder(16, 1 << 20, 32 * 32 - 1).decode(png, null)).reason());
        assertEquals(Reason.UNSUPPORTED_TYPE, assertThrows(ImageRejectedException.class,
                () -> new ImageDecoder(16).decode("not an image".getBytes(), null)).reason());
        assertEquals(Reason.UNSUPPORTED_TYPE, assertThrows(ImageRejectedException.class,
                () -> new ImageDecoder(16).decode(png, "image/gif")).reason());
        assertEquals(Reason.UNSUPPORTED_TYPE, assertThrows(ImageRejectedException.class,
                () -> new ImageDecoder(16).decode(png, "image/jpeg")).reason(), "declared type must match the bytes");
        assertEquals(Reason.UNDECODABLE, assertThrows(ImageRejectedException.class,
                () -> new ImageDecoder(16).decode(Arrays.copyOf(png, 60), null)).reason());
    }

    @Test
    void decodingNeverWritesATemporaryFile() throws Exception {
        byte[] png = encode(halves(BufferedImage.TYPE_INT_RGB), "png");
        byte[] jpeg = encode(halves(BufferedImage.TYPE_INT_RGB), "jpg");
        byte[] deepGrey = encode(new BufferedImage(8, 8, BufferedImage.TYPE_USHORT_GRAY), "png");
        float[] expected = new ImageDecoder(8).decode(png, "image/png");
        // ImageIO's cache directory gone: a decoder that spools the bytes through a file fails to decode
        Path cache = Files.createTempDirectory("imageio-cache");
        ImageIO.setCacheDirectory(cache.toFile());
        Files.delete(cache);
        try {
            assertArrayEquals(expected, new ImageDecoder(8).decode(png, "image/png"));
            assertEquals(3 * 64, new ImageDecoder(8).decode(jpeg, null).length);
            assertEquals(3 * 64, new ImageDecoder(8).decode(deepGrey, null).length, "a 16-bit PNG: ImageIO's reader");
        } finally {
            ImageIO.setCacheDirectory(null);
        }
    }

    @Test
    void theTypeComesFromTheBytesSignature() throws Exception {
        byte[] gif = encode(halves(BufferedImage.TYPE_INT_RGB), "gif");
        ImageRejectedException e = assertThrows(ImageRejectedException.class, () -> new ImageDecoder(16).decode(gif, null));
        assertEquals("not a PNG or JPEG image", e.getMessage());
        byte[] jpeg = encode(halves(BufferedImage.TYPE_INT_RGB), "jpg");
        e = assertThrows(ImageRejectedException.class, () -> new ImageDecoder(16).decode(jpeg, "image/png"));
        assertEquals("declared image/png but the bytes are image/jpeg", e.getMessage());
        e = assertThrows(ImageRejectedException.class, () -> new ImageDecoder(16).decode(Arrays.copyOf(jpeg, 2), null));
        assertEquals(Reason.UNSUPPORTED_TYPE, e.reason(), "two bytes are not a JPEG signature");
    }
}
