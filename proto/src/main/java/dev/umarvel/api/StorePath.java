package dev.umarvel.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What every field of the contract that names a file means by it (store_path, checkpoint_path, pool_path, dataset_dir,
 * ...): a path relative to the serving store, which may not lead out of it. The one check the services share
 * (docs/security.md): an absolute path, ".." past the root and a symbolic link out of the store are refused before
 * anything is read or written, and so is a link that leads nowhere, since writing through it would create its target
 * wherever it points.
 */
public final class StorePath {

    private StorePath() {
    }

    /**
     * The absolute, normalised path {@code relative} names under {@code store}; throws IllegalArgumentException whose message
     * says what is wrong, for the caller to put after the field's name: "empty", "not a path: ...", "'x' escapes the store",
     * "'x' leads out of the store through a link", "'x' leads through a link to nothing".
     */
    public static Path confine(Path store, String relative) {
        if (relative == null || relative.isBlank()) {
            throw new IllegalArgumentException("empty");
        }
        Path root = store.toAbsolutePath().normalize();
        Path path;
        try {
            Path given = Path.of(relative);
            if (given.isAbsolute()) {
                throw new IllegalArgumentException("'" + relative + "' escapes the store");
            }
            path = root.resolve(given).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a path: " + e.getMessage());
        }
        if (!path.startsWith(root)) {
            throw new IllegalArgumentException("'" + relative + "' escapes the store");
        }
        Path existing = path; // the deepest part that exists: a link there, or in a directory above, decides where a write lands
        while (!existing.equals(root) && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        try {
            if (!existing.toRealPath().startsWith(root.toRealPath())) {
                throw new IllegalArgumentException("'" + relative + "' leads out of the store through a link");
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("'" + relative + "' leads through a link to nothing");
        } catch (IOException e) { // no path of the server's in the answer: the store's layout is not the caller's business
            throw new IllegalArgumentException("'" + relative + "' cannot be resolved (" + e.getClass().getSimpleName() + ")");
        }
        return path;
    }
}
