package dev.umarvel.model.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

/** The plain-PNG path gives exactly the pixels ImageIO's path gives, and leaves to ImageIO what it does not take. */
class PlainPngDecoderTest {

    /** Noise over a gradient, some of it translucent: images as ImageIO's writer encodes them (the filters it picks are its own). */
    private static BufferedImage noisy(int type, int width, int height, Random r) {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int smooth = (x * 4 + y * 3) & 0xff;
                int rgb = r.nextInt(4) == 0 ? r.nextInt() : (smooth << 16 | (255 - smooth) << 8 | (y * 5 & 0xff));
                image.setRGB(x, y, r.nextInt(3) == 0 ? rgb & 0x7fffffff : rgb | 0xff000000); // some alpha where kept
            }
        }
        return image;
    }

    private static byte[] png(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** What ImageDecoder did before this path existed: ImageIO's image, read as packed RGB. */
    private static int[] viaImageIo(byte[] png) throws Exception {
        return Arrays.stream(ImageDecoder.packedRgb(ImageIO.read(new ByteArrayInputStream(png)))).map(v -> v & 0xffffff).toArray();
    }

    private static int[] plain(byte[] png) throws Exception {
        PlainPngDecoder.Rgb rgb = PlainPngDecoder.decode(png, Long.MAX_VALUE);
        assertNotNull(rgb, "a plain PNG");
        return rgb.pixels();
    }

    /** The PNG with one more chunk right after IHDR (its CRC computed). */
    private static byte[] withChunk(byte[] png, String type, byte[] data) {
        return inserted(png, 8 + 12 + 13, chunk(type, data));
    }

    private static byte[] inserted(byte[] png, int at, byte[] chunk) {
        return ByteBuffer.allocate(png.length + chunk.length).put(png, 0, at).put(chunk).put(png, at, png.length - at).array();
    }

    /**
     * A PNG written here rather than by ImageIO (whose writer chose filter 0 for most test images): row y uses filter
     * y % 5, so every one of PNG's five filters is read back; {@code samples} is (height, width, channels).
     */
    private static byte[] filtered(int width, int height, int colourType, byte[] samples, byte[] palette) {
        int bpp = switch (colourType) {
            case 2 -> 3;
            case 6 -> 4;
            default -> 1;
        };
        int stride = width * bpp;
        byte[] rows = new byte[height * (stride + 1)];
        for (int y = 0; y < height; y++) {
            int filter = y % 5;
            rows[y * (stride + 1)] = (byte) filter;
            for (int i = 0; i < stride; i++) {
                int x = samples[y * stride + i] & 0xff;
                int left = i >= bpp ? samples[y * stride + i - bpp] & 0xff : 0;
                int up = y > 0 ? samples[(y - 1) * stride + i] & 0xff : 0;
                int upLeft = y > 0 && i >= bpp ? samples[(y - 1) * stride + i - bpp] & 0xff : 0;
                int p = left + up - upLeft;
                int paeth = Math.abs(p - left) <= Math.abs(p - up) && Math.abs(p - left) <= Math.abs(p - upLeft) ? left
                        : Math.abs(p - up) <= Math.abs(p - upLeft) ? up : upLeft;
                int predicted = new int[] {0, left, up, (left + up) / 2, paeth}[filter];
                rows[y * (stride + 1) + 1 + i] = (byte) (x - predicted);
            }
        }
        return assemble(width, height, colourType, palette, rows);
    }

    /** A 1x1 PNG of the colour type whose one row, filter byte first, is {@code row} as it stands. */
    private static byte[] handMade(int colourType, byte[] row) {
        return assemble(1, 1, colourType, null, row);
    }

    private static byte[] assemble(int width, int height, int colourType, byte[] palette, byte[] rows) {
        Deflater deflater = new Deflater();
        deflater.setInput(rows);
        deflater.finish();
        byte[] idat = new byte[rows.length + 1024];
        idat = Arrays.copyOf(idat, deflater.deflate(idat));
        deflater.end();
        byte[] header = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) colourType).put(new byte[3]).array();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        out.writeBytes(chunk("IHDR", header));
        if (palette != null) {
            out.writeBytes(chunk("PLTE", palette));
        }
        out.writeBytes(chunk("IDAT", idat));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    private static byte[] chunk(String type, byte[] data) {
        ByteBuffer chunk = ByteBuffer.allocate(12 + data.length).putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
        CRC32 crc = new CRC32();
        crc.update(chunk.array(), 4, 4 + data.length);
        return chunk.putInt((int) crc.getValue()).array();
    }

    /** Smooth gradients with noise in places: every filter then has something to predict. */
    private static byte[] samples(int width, int height, int channels, int levels, Random r) {
        byte[] out = new byte[width * height * channels];
        for (int i = 0; i < out.length; i++) {
            int x = i / channels % width;
            int y = i / channels / width;
            out[i] = (byte) ((r.nextInt(5) == 0 ? r.nextInt(256) : x * 7 + y * 3 + i % channels * 50) % levels);
        }
        return out;
    }

    @Test
    void everyColourTypeAndFilterGivesImageIosPixels() throws Exception {
        Random r = new Random(11);
        byte[] palette = new byte[3 * 200];
        r.nextBytes(palette);
        // grey (PNG colour type 0), RGB (2), RGBA (6), palette (3); odd sizes so that no row lines up with anything
        for (int[] type : new int[][] {{0, 1}, {2, 3}, {6, 4}, {3, 1}}) {
            for (int[] size : new int[][] {{37, 23}, {1, 5}, {64, 64}}) {
                byte[] png = filtered(size[0], size[1], type[0], samples(size[0], size[1], type[1], type[0] == 3 ? 200 : 256, r),
                        type[0] == 3 ? palette : null);
                assertArrayEquals(viaImageIo(png), plain(png), "colour type " + type[0] + ", " + size[0] + "x" + size[1]);
            }
        }
        // and as ImageIO's own writer writes them
        for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_BYTE_GRAY,
                BufferedImage.TYPE_BYTE_INDEXED}) {
            byte[] png = png(noisy(type, 37, 23, r));
            assertArrayEquals(viaImageIo(png), plain(png), "written by ImageIO from image type " + type);
        }
    }

    @Test
    void metadataChunksAndColourTransparencyChangeNothing() throws Exception {
        Random r = new Random(12);
        byte[] rgb = png(noisy(BufferedImage.TYPE_INT_RGB, 19, 17, r));
        byte[][] chunks = {withChunk(rgb, "gAMA", new byte[] {0, 0, (byte) 0xb1, (byte) 0x8f}), withChunk(rgb, "sRGB", new byte[] {0}),
                withChunk(rgb, "pHYs", new byte[] {0, 0, 0x0e, (byte) 0xc4, 0, 0, 0x0e, (byte) 0xc4, 1}),
                withChunk(rgb, "tEXt", "Comment\0made here".getBytes(StandardCharsets.ISO_8859_1)),
                withChunk(rgb, "tIME", new byte[] {0x07, (byte) 0xea, 12, 7, 11, 0, 0}),
                withChunk(rgb, "tRNS", new byte[] {0, 10, 0, 20, 0, 30})};
        for (byte[] png : chunks) {
            assertArrayEquals(viaImageIo(png), plain(png), new String(png, 37, 4, StandardCharsets.US_ASCII));
        }
        byte[] palette = png(noisy(BufferedImage.TYPE_BYTE_INDEXED, 19, 17, r)); // tRNS must follow PLTE: just before IDAT
        int p = 8;
        while (ByteBuffer.wrap(palette).getInt(p + 4) != 0x49444154) {
            p += 12 + ByteBuffer.wrap(palette).getInt(p);
        }
        byte[] withTransparency = inserted(palette, p, chunk("tRNS", new byte[] {0, (byte) 128, 7}));
        assertArrayEquals(viaImageIo(withTransparency), plain(withTransparency), "palette with tRNS");
    }

    @Test
    void whatImageIoMightReadOtherwiseIsLeftToImageIo() throws Exception {
        Random r = new Random(13);
        byte[] grey = png(noisy(BufferedImage.TYPE_BYTE_GRAY, 9, 9, r));
        assertNotNull(PlainPngDecoder.decode(grey, Long.MAX_VALUE));
        assertNull(PlainPngDecoder.decode(withChunk(grey, "tRNS", new byte[] {0, 5}), Long.MAX_VALUE), "grey + tRNS: ImageIO adds alpha");
        assertNull(PlainPngDecoder.decode(withChunk(grey, "iCCP", new byte[] {'x', 0, 0}), Long.MAX_VALUE), "colour management");
        assertNull(PlainPngDecoder.decode(png(noisy(BufferedImage.TYPE_USHORT_GRAY, 9, 9, r)), Long.MAX_VALUE), "16 bits");

        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ImageWriteParam interlaced = writer.getDefaultWriteParam();
        interlaced.setProgressiveMode(ImageWriteParam.MODE_DEFAULT); // Adam7
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(noisy(BufferedImage.TYPE_INT_RGB, 9, 9, r), null, null), interlaced);
        }
        writer.dispose();
        assertEquals(1, out.toByteArray()[28], "interlace method in IHDR");
        assertNull(PlainPngDecoder.decode(out.toByteArray(), Long.MAX_VALUE), "interlaced");
    }

    @Test
    void brokenFilesAreLeftToImageIoAndHugeOnesRefused() throws Exception {
        byte[] png = png(noisy(BufferedImage.TYPE_INT_RGB, 16, 16, new Random(14)));
        assertNull(PlainPngDecoder.decode(Arrays.copyOf(png, png.length - 20), Long.MAX_VALUE), "truncated");
        byte[] corrupt = png.clone();
        int idat = 8 + 25; // ImageIO writes IDAT right after IHDR
        assertEquals("IDAT", new String(corrupt, idat + 4, 4, StandardCharsets.US_ASCII));
        Arrays.fill(corrupt, idat + 8, idat + 8 + 6, (byte) 0xff); // the zlib header and the first block's header
        assertNull(PlainPngDecoder.decode(corrupt, Long.MAX_VALUE), "deflate stream that does not inflate");

        assertNull(PlainPngDecoder.decode(handMade(2, new byte[] {5, 1, 2, 3}), Long.MAX_VALUE), "filter type 5");
        assertEquals(0x010203, PlainPngDecoder.decode(handMade(2, new byte[] {0, 1, 2, 3}), Long.MAX_VALUE).pixels()[0], "the same, filter 0");

        ImageRejectedException e = assertThrows(ImageRejectedException.class, () -> PlainPngDecoder.decode(png, 255));
        assertEquals(ImageRejectedException.Reason.TOO_MANY_PIXELS, e.reason());
        assertEquals("16x16 pixels exceed the limit of 255", e.getMessage());
    }
}
