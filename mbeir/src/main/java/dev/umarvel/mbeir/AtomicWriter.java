package dev.umarvel.mbeir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A text file written under a temporary name and renamed into place on {@link #commit}, so that
 * readers see the old file or the complete new one, never half of it, even after a kill.
 * Closing without committing discards the temporary file.
 */
public final class AtomicWriter implements AutoCloseable {

    private final Path target;
    private final Path tmp;
    private final BufferedWriter out;
    private boolean committed;

    public AtomicWriter(Path target) throws IOException {
        this.target = target;
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        this.tmp = Files.createTempFile(parent, "." + target.getFileName(), ".tmp");
        this.out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
    }

    public Writer writer() {
        return out;
    }

    /** Writes one line (a newline is added). */
    public AtomicWriter line(String text) {
        try {
            out.write(text);
            out.write('\n');
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flushes, syncs and renames the file into place. */
    public void commit() throws IOException {
        out.close();
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
    }

    /** Writes a whole text file atomically. */
    public static void write(Path target, String text) throws IOException {
        try (AtomicWriter w = new AtomicWriter(target)) {
            w.writer().write(text);
            w.commit();
        }
    }

    @Override
    public void close() throws IOException {
        if (!committed) {
            out.close();
            Files.deleteIfExists(tmp);
        }
    }
}
