package dev.umarvel.model.image;

import dev.umarvel.model.image.ImageRejectedException.Reason;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * PNG's common case straight to packed RGB with the JDK's zlib: 8-bit grey, RGB, RGBA or palette, not
 * interlaced, with no chunk that could make ImageIO give other pixels. Anything else, and any file that
 * does not decode cleanly here, gives null: {@link ImageDecoder} then asks ImageIO, which decides.
 *
 * <p>Why not ImageIO for all: ImageIO's reader took 55-146 us for one of bench serving's 64x64 PNGs in memory,
 * where inflating and unfiltering it here takes 15-16 us, and an embedder decodes every image it is sent on
 * its request path. The result is the same packed RGB ImageIO's path gives, pixel for pixel
 * (PlainPngDecoderTest).
 */
final class PlainPngDecoder {

    /** A decoded image: 0xRRGGBB per pixel, row by row. */
    record Rgb(int width, int height, int[] pixels) {}

    private static final int IHDR = 0x49484452;
    private static final int PLTE = 0x504c5445;
    private static final int IDAT = 0x49444154;
    private static final int IEND = 0x49454e44;
    private static final int TRNS = 0x74524e53;
    /** Ancillary chunks the JDK's reader keeps as metadata only (checked one by one in the test). */
    private static final Set<Integer> METADATA_ONLY = Set.of(
            0x67414d41,  // gAMA
            0x73524742,  // sRGB
            0x70485973,  // pHYs
            0x74455874,  // tEXt
            0x74494d45); // tIME

    private PlainPngDecoder() {}

    /**
     * The image's pixels, or null when it is not a plain PNG this class takes.
     *
     * @throws ImageRejectedException TOO_MANY_PIXELS when the header declares more than {@code maxPixels},
     *     before anything is inflated
     */
    static Rgb decode(byte[] png, long maxPixels) throws ImageRejectedException {
        ByteBuffer in = ByteBuffer.wrap(png); // big-endian, as PNG is
        int p = 8; // after the signature
        Header header = null;
        int[] palette = null;
        byte[] rows = null; // the filtered rows, (h, 1 + w * channels): a filter byte then the row
        int inflated = 0;
        Inflater inflater = new Inflater();
        try {
            while (true) {
                if (p + 12 > png.length) {
                    return null; // no IEND: truncated
                }
                int length = in.getInt(p);
                int type = in.getInt(p + 4);
                int data = p + 8;
                if (length < 0 || length > png.length - data - 4) {
                    return null;
                }
                if (header == null && type != IHDR) {
                    return null;
                }
                if (type == IHDR) {
                    if (header != null || length != 13) {
                        return null;
                    }
                    header = Header.read(in, data);
                    if (header == null) {
                        return null;
                    }
                    if ((long) header.width * header.height > maxPixels) {
                        throw new ImageRejectedException(Reason.TOO_MANY_PIXELS, header.width + "x" + header.height
                                + " pixels exceed the limit of " + maxPixels);
                    }
                    long size = (long) header.height * (1 + (long) header.width * header.channels);
                    if (size > Integer.MAX_VALUE - 8) {
                        return null;
                    }
                    rows = new byte[(int) size];
                } else if (type == PLTE) {
                    palette = palette(png, data, length);
                } else if (type == IDAT) {
                    inflater.setInput(png, data, length);
                    while (inflated < rows.length && !inflater.needsInput() && !inflater.finished()) {
                        int n = inflater.inflate(rows, inflated, rows.length - inflated);
                        if (n == 0 && inflater.needsDictionary()) {
                            return null;
                        }
                        inflated += n;
                    }
                } else if (type == IEND) {
                    break;
                } else if (type == TRNS ? header.colourType == 0 : !METADATA_ONLY.contains(type)) {
                    return null; // a grey image's transparent level, colour management, or a chunk we do not know
                }
                p = data + length + 4; // past the CRC, which ImageIO does not check either
            }
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
        if (inflated != rows.length || (header.colourType == 3) != (palette != null)) {
            return null;
        }
        return unfilter(header, rows, palette);
    }

    /** IHDR's fields, or null for what this class leaves to ImageIO. */
    private record Header(int width, int height, int colourType, int channels) {
        static Header read(ByteBuffer in, int at) {
            int width = in.getInt(at);
            int height = in.getInt(at + 4);
            int depth = in.get(at + 8);
            int colourType = in.get(at + 9);
            int compression = in.get(at + 10);
            int filter = in.get(at + 11);
            int interlace = in.get(at + 12);
            int channels = switch (colourType) {
                case 0, 3 -> 1; // grey, palette index
                case 2 -> 3;    // RGB
                case 6 -> 4;    // RGBA
                default -> 0;   // grey + alpha: ImageIO's colour conversion differs, so it decodes those
            };
            if (width < 1 || height < 1 || depth != 8 || channels == 0 || compression != 0 || filter != 0 || interlace != 0) {
                return null;
            }
            return new Header(width, height, colourType, channels);
        }
    }

    private static int[] palette(byte[] png, int data, int length) {
        if (length % 3 != 0 || length == 0 || length > 3 * 256) {
            return null;
        }
        int[] entries = new int[length / 3];
        for (int i = 0; i < entries.length; i++) {
            int at = data + 3 * i;
            entries[i] = (png[at] & 0xff) << 16 | (png[at + 1] & 0xff) << 8 | (png[at + 2] & 0xff);
        }
        return entries;
    }

    /** Undoes each row's filter in place (PNG spec, section 9), then packs the pixels. */
    private static Rgb unfilter(Header h, byte[] rows, int[] palette) {
        int bpp = h.channels;
        int stride = h.width * bpp;
        int[] out = new int[h.width * h.height];
        for (int y = 0; y < h.height; y++) {
            int row = y * (stride + 1) + 1; // the row's first byte, after its filter byte
            int above = row - stride - 1;   // the row before's first byte (y > 0)
            int filter = rows[row - 1];
            for (int i = 0; i < stride; i++) {
                int left = i >= bpp ? rows[row + i - bpp] & 0xff : 0;
                int up = y > 0 ? rows[above + i] & 0xff : 0;
                int upLeft = y > 0 && i >= bpp ? rows[above + i - bpp] & 0xff : 0;
                int predicted = switch (filter) {
                    case 0 -> 0;
                    case 1 -> left;
                    case 2 -> up;
                    case 3 -> (left + up) >>> 1;
                    case 4 -> paeth(left, up, upLeft);
                    default -> -1;
                };
                if (predicted < 0) {
                    return null; // not a PNG filter type
                }
                rows[row + i] = (byte) (rows[row + i] + predicted);
            }
            for (int x = 0, i = row; x < h.width; x++, i += bpp) {
                int v;
                if (bpp == 1) {
                    int level = rows[i] & 0xff;
                    if (palette != null && level >= palette.length) {
                        return null; // an index past the palette
                    }
                    v = palette != null ? palette[level] : level * 0x010101;
                } else {
                    v = (rows[i] & 0xff) << 16 | (rows[i + 1] & 0xff) << 8 | (rows[i + 2] & 0xff); // alpha, if any, dropped
                }
                out[y * h.width + x] = v;
            }
        }
        return new Rgb(h.width, h.height, out);
    }

    private static int paeth(int left, int up, int upLeft) {
        int p = left + up - upLeft;
        int pa = Math.abs(p - left);
        int pb = Math.abs(p - up);
        int pc = Math.abs(p - upLeft);
        return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
    }
}
