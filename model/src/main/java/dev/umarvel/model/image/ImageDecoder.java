package dev.umarvel.model.image;

import dev.umarvel.model.image.ImageRejectedException.Reason;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DirectColorModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG and JPEG (colour or grey) into the model's input: RGB, resized to size x size,
 * values in [-1, 1], channel-major (3, size, size).
 *
 * <p>Byte and pixel limits are checked before any pixel is decoded (the pixel count comes from the
 * header), so a small file that declares a huge image cannot exhaust memory. Resizing is a plain
 * Java loop, so the same bytes give the same floats on every machine. Plain PNGs (8-bit, not interlaced)
 * are inflated here ({@link PlainPngDecoder}); everything else goes through the JDK's ImageIO readers.
 */
public final class ImageDecoder {

    /** Default byte limit: 8 MiB, well above any image a 64x64 model needs. */
    public static final long DEFAULT_MAX_BYTES = 8L << 20;
    /** Default pixel limit: 4096 x 4096. */
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;

    /** PNG's eight-byte signature. */
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** JPEG's start-of-image marker and the first byte of the next marker. */
    private static final byte[] JPEG_SIGNATURE = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};
    /** The reader providers by MIME type, found once. */
    private static final Map<String, ImageReaderSpi> READERS = new ConcurrentHashMap<>();

    private final int size;
    private final long maxBytes;
    private final long maxPixels;

    public ImageDecoder(int size, long maxBytes, long maxPixels) {
        if (size < 1 || maxBytes < 1 || maxPixels < 1) {
            throw new IllegalArgumentException("size and limits must be positive");
        }
        this.size = size;
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
    }

    public ImageDecoder(int size) {
        this(size, DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes encoded bytes.
     *
     * @param mimeType "image/png", "image/jpeg", or null/empty to detect the type from the bytes
     * @return (3, size, size) floats in [-1, 1]
     */
    public float[] decode(byte[] bytes, String mimeType) throws ImageRejectedException {
        if (bytes.length > maxBytes) {
            throw new ImageRejectedException(Reason.TOO_MANY_BYTES, bytes.length + " bytes exceed the limit of " + maxBytes);
        }
        String declared = mimeType == null ? "" : mimeType.trim().toLowerCase(Locale.ROOT);
        if (!declared.isEmpty() && !declared.equals("image/png") && !declared.equals("image/jpeg")) {
            throw new ImageRejectedException(Reason.UNSUPPORTED_TYPE, "unsupported MIME type '" + mimeType
                    + "': expected image/png or image/jpeg");
        }
        String actual = format(bytes);
        if (actual.isEmpty()) {
            throw new ImageRejectedException(Reason.UNSUPPORTED_TYPE, "not a PNG or JPEG image");
        }
        if (!declared.isEmpty() && !declared.equals(actual)) {
            throw new ImageRejectedException(Reason.UNSUPPORTED_TYPE, "declared " + declared + " but the bytes are " + actual);
        }
        if (actual.equals("image/png")) {
            PlainPngDecoder.Rgb plain = PlainPngDecoder.decode(bytes, maxPixels);
            if (plain != null) {
                return pixels(plain.pixels(), plain.width(), plain.height());
            }
        }
        // a stream over the bytes in memory: ImageIO's own (createImageInputStream) copies them into a temporary
        // file first, which cost a pinned embedder-svc more of its core than the decoding (bench serving, perf)
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = reader(actual);
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width < 1 || height < 1 || width * height > maxPixels) {
                    throw new ImageRejectedException(Reason.TOO_MANY_PIXELS, width + "x" + height
                            + " pixels exceed the limit of " + maxPixels);
                }
                BufferedImage image = reader.read(0);
                return pixels(image);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new ImageRejectedException(Reason.UNDECODABLE, "image does not decode: " + e.getMessage());
        }
    }

    /** "image/png" or "image/jpeg" from the bytes' signature, or "" for anything else. */
    private static String format(byte[] bytes) {
        if (startsWith(bytes, PNG_SIGNATURE)) {
            return "image/png";
        }
        return startsWith(bytes, JPEG_SIGNATURE) ? "image/jpeg" : "";
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    /**
     * A new reader for the format (readers keep per-image state, so one per decode); the JDK's own is asked for by
     * type rather than found by asking every registered reader whether it can decode the stream.
     */
    private static ImageReader reader(String mimeType) throws IOException {
        ImageReaderSpi spi = READERS.computeIfAbsent(mimeType, t -> {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(t);
            return readers.hasNext() ? readers.next().getOriginatingProvider() : null;
        });
        if (spi == null) {
            throw new IOException("no " + mimeType + " reader in this Java runtime");
        }
        return spi.createReaderInstance();
    }

    /** Resizes and normalises an image already in memory (the synthetic benchmark renders these). */
    public float[] pixels(BufferedImage image) {
        return pixels(packedRgb(image), image.getWidth(), image.getHeight());
    }

    /** Resizes and normalises 0x(AA)RRGGBB pixels, row by row, {@code w} x {@code h}. */
    private float[] pixels(int[] argb, int w, int h) {
        float[] out = new float[3 * size * size];
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            float sy = Math.max(0, Math.min(h - 1, (y + 0.5f) * h / size - 0.5f));
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, h - 1);
            float fy = sy - y0;
            for (int x = 0; x < size; x++) {
                float sx = Math.max(0, Math.min(w - 1, (x + 0.5f) * w / size - 0.5f));
                int x0 = (int) sx;
                int x1 = Math.min(x0 + 1, w - 1);
                float fx = sx - x0;
                for (int c = 0; c < 3; c++) {
                    int shift = 16 - 8 * c; // R, G, B
                    float top = lerp(channel(argb[y0 * w + x0], shift), channel(argb[y0 * w + x1], shift), fx);
                    float bottom = lerp(channel(argb[y1 * w + x0], shift), channel(argb[y1 * w + x1], shift), fx);
                    out[c * plane + y * size + x] = lerp(top, bottom, fy) / 127.5f - 1f;
                }
            }
        }
        return out;
    }

    /**
     * 0xRRGGBB per pixel (higher bits: anything). Grey images are read from their raster: getRGB would
     * push their stored levels through a linear-to-sRGB gamma curve and brighten them (128 would
     * become 188). 8-bit sRGB images (what PNG and JPEG decode to) are read from their raster too, with
     * the same result as getRGB at a tenth of its cost (getRGB converts pixel by pixel through the
     * colour model: 140 us of a 64x64 image's 260 us decode, measured on one core).
     */
    static int[] packedRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        boolean grey = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && image.getRaster().getNumBands() == 1; // palette images also have one band, of indices
        if (!grey) {
            int[] direct = eightBitSrgb(image);
            return direct != null ? direct : image.getRGB(0, 0, w, h, null, 0, w);
        }
        int bits = image.getSampleModel().getSampleSize(0);
        int[] levels = image.getRaster().getSamples(0, 0, w, h, 0, (int[]) null);
        for (int i = 0; i < levels.length; i++) {
            int v = bits > 8 ? levels[i] >> (bits - 8) : levels[i] * 255 / ((1 << bits) - 1);
            levels[i] = v << 16 | v << 8 | v;
        }
        return levels;
    }

    /**
     * Straight from the raster when its bands are R, G, B (and maybe A) of 8 bits in sRGB, not
     * premultiplied: then getRGB returns the stored samples unchanged. Null for any other image.
     */
    private static int[] eightBitSrgb(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        if (!cm.getColorSpace().isCS_sRGB() || cm.isAlphaPremultiplied() || image.getRaster().getNumBands() < 3) {
            return null;
        }
        for (int bits : cm.getComponentSize()) {
            if (bits != 8) {
                return null;
            }
        }
        int w = image.getWidth();
        int h = image.getHeight();
        if (cm instanceof ComponentColorModel) {
            int bands = image.getRaster().getNumBands();
            int[] samples = image.getRaster().getPixels(0, 0, w, h, (int[]) null); // (h * w * bands), bands R, G, B[, A]
            int[] rgb = new int[w * h];
            for (int i = 0, j = 0; i < rgb.length; i++, j += bands) {
                rgb[i] = samples[j] << 16 | samples[j + 1] << 8 | samples[j + 2];
            }
            return rgb;
        }
        if (cm instanceof DirectColorModel direct && direct.getRedMask() == 0xff0000 && direct.getGreenMask() == 0xff00
                && direct.getBlueMask() == 0xff && image.getRaster().getTransferType() == DataBuffer.TYPE_INT) {
            return (int[]) image.getRaster().getDataElements(0, 0, w, h, null); // packed 0x(AA)RRGGBB already
        }
        return null;
    }

    /** The side of the square output. */
    public int size() {
        return size;
    }

    private static float channel(int argb, int shift) {
        return (argb >> shift) & 0xff;
    }

    private static float lerp(float a, float b, float t) {
        return a + (b - a) * t;
    }
}
