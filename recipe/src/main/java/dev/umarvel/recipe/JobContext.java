package dev.umarvel.recipe;

import dev.umarvel.api.StorePath;
import dev.umarvel.mbeir.MbeirLayout;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Where a job runs: the store root every path is relative to, its output directory, who listens, and whether it should
 * stop. A service's job is {@code confined}: its paths may not leave the store (a caller names files on a machine that
 * is not theirs). The command line's is not: a user runs it on their own files, so an absolute path or a link out of
 * the store is theirs to name, and relative paths still start at the store.
 */
public record JobContext(Path store, Path output, JobListener listener, BooleanSupplier cancelled, boolean confined) {

    public JobContext {
        store = store.toAbsolutePath().normalize();
        output = output.toAbsolutePath().normalize();
    }

    /** A service's context, confined to the store. */
    public JobContext(Path store, Path output, JobListener listener, BooleanSupplier cancelled) {
        this(store, output, listener, cancelled, true);
    }

    /** The dataset a job reads (its field: data.dataset_dir). */
    public MbeirLayout dataset(JobSpec spec) {
        return new MbeirLayout(resolve("data.dataset_dir", spec.data().datasetDir()));
    }

    /**
     * A path of the spec made absolute: relative to the store; when confined, absolute paths, ".." escapes and symbolic
     * links out of the store are refused with the field's name.
     */
    public Path resolve(String field, String path) {
        if (confined) {
            return confine(store, field, path);
        }
        if (path == null || path.isBlank()) {
            throw new InvalidSpecException(field + ": must not be empty");
        }
        return store.resolve(path).normalize(); // an absolute path stays itself
    }

    /** The check every service makes of a path it is given (StorePath's), refused as an invalid spec naming the field. */
    public static Path confine(Path store, String field, String relative) {
        if (relative == null || relative.isBlank()) {
            throw new InvalidSpecException(field + ": must not be empty");
        }
        try {
            return StorePath.confine(store, relative);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(field + ": " + e.getMessage());
        }
    }

    /** The store-relative form of a path inside the store; a path outside it (the command line's) as it is. */
    public String relative(Path path) {
        Path p = path.toAbsolutePath().normalize();
        return p.startsWith(store) ? store.relativize(p).toString() : p.toString();
    }

    public void checkCancelled(long step) {
        if (cancelled.getAsBoolean()) {
            throw new JobCancelledException(step);
        }
    }
}
