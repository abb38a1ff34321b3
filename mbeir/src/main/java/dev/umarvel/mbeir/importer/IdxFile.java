package dev.umarvel.mbeir.importer;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** The IDX format of MNIST-style datasets (optionally gzipped): unsigned-byte images and labels. */
final class IdxFile {

    private static final int IMAGES = 0x00000803;
    private static final int LABELS = 0x00000801;

    /** {@code count} images of rows x cols grey levels, one after another. */
    record Images(int count, int rows, int cols, byte[] pixels) {
        byte[] image(int i) {
            byte[] out = new byte[rows * cols];
            System.arraycopy(pixels, i * rows * cols, out, 0, out.length);
            return out;
        }
    }

    private IdxFile() {}

    static Images images(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGES) {
                throw new IOException(file + ": not an IDX image file (magic " + Integer.toHexString(magic) + ")");
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || rows < 1 || cols < 1 || (long) count * rows * cols > Integer.MAX_VALUE) {
                throw new IOException(file + ": impossible dimensions " + count + "x" + rows + "x" + cols);
            }
            byte[] pixels = new byte[count * rows * cols];
            in.readFully(pixels);
            return new Images(count, rows, cols, pixels);
        }
    }

    static byte[] labels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != LABELS) {
                throw new IOException(file + ": not an IDX label file (magic " + Integer.toHexString(magic) + ")");
            }
            byte[] labels = new byte[in.readInt()];
            in.readFully(labels);
            return labels;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return new DataInputStream(file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw);
    }
}
