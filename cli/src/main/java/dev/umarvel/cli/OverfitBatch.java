package dev.umarvel.cli;

import dev.umarvel.mbeir.AtomicWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code umarvel train --overfit-batch}: one batch's worth of a training file, spread evenly over it (so over its tasks). */
final class OverfitBatch {

    private OverfitBatch() {}

    static void write(Path from, Path to, int n) throws IOException {
        List<String> lines = Files.readAllLines(from).stream().filter(l -> !l.isBlank()).toList();
        if (lines.size() < n) {
            throw new IllegalArgumentException("--overfit-batch: " + from + " has " + lines.size() + " examples, fewer than a batch of " + n);
        }
        try (AtomicWriter w = new AtomicWriter(to)) {
            for (int i = 0; i < n; i++) {
                w.line(lines.get((int) ((long) i * lines.size() / n)));
            }
            w.commit();
        }
    }
}
