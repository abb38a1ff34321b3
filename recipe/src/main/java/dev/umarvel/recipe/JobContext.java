package dev.umarvel.recipe;

import dev.umarvel.mbeir.MbeirLayout;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Where a job runs: the store root every path is relative to (and may not leave), its output
 * directory, who listens, and whether it should stop.
 */
public record JobContext(Path store, Path output, JobListener listener, BooleanSupplier cancelled) {

    public JobContext {
        store = store.toAbsolutePath().normalize();
        output = output.toAbsolutePath().normalize();
    }

    /**
     * A store-relative path made absolute; absolute paths, ".." escapes and symbolic links out of the
     * store are refused with the field's name.
     */
    /** The dataset a job reads (its field: data.dataset_dir), confined to the store. */
    public MbeirLayout dataset(JobSpec spec) {
        return new MbeirLayout(resolve("data.dataset_dir", spec.data().datasetDir()));
    }

    public Path resolve(String field, String relative) {
        return confine(store, field, relative);
    }

    public static Path confine(Path store, String field, String relative) {
        if (relative == null || relative.isBlank()) {
            throw new InvalidSpecException(field + ": must not be empty");
        }
        Path p = Path.of(relative);
        if (p.isAbsolute()) {
            throw new InvalidSpecException(field + ": must be relative to the store, got an absolute path '" + relative + "'");
        }
        Path root = store.toAbsolutePath().normalize();
        Path resolved = root.resolve(p).normalize();
        if (!resolved.startsWith(root)) {
            throw new InvalidSpecException(field + ": '" + relative + "' leaves the store");
        }
        try {
            Path real = Files.exists(resolved, LinkOption.NOFOLLOW_LINKS) ? resolved.toRealPath() : resolved;
            if (!real.startsWith(root.toRealPath())) {
                throw new InvalidSpecException(field + ": '" + relative + "' leads out of the store through a link");
            }
        } catch (java.io.IOException e) {
            throw new InvalidSpecException(field + ": '" + relative + "' cannot be resolved: " + e.getMessage());
        }
        return resolved;
    }

    /** The store-relative form of a path inside the store. */
    public String relative(Path path) {
        return store.relativize(path.toAbsolutePath().normalize()).toString();
    }

    public void checkCancelled(long step) {
        if (cancelled.getAsBoolean()) {
            throw new JobCancelledException(step);
        }
    }
}
