package dev.umarvel.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Store-relative paths as the model services take them: absolute paths, ".." and symbolic links out of the store are refused. */
final class StorePaths {

    private StorePaths() {
    }

    /**
     * The path {@code relative} names under {@code store} (absolute and normalised), checked before anything is read;
     * throws IllegalArgumentException saying what is wrong ("not a path: ..." or "'x' escapes the store").
     */
    static Path resolve(Path store, String relative) {
        Path path;
        try {
            path = store.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a path: " + e.getMessage());
        }
        if (Path.of(relative).isAbsolute() || !path.startsWith(store) || escapesByLink(store, path)) {
            throw new IllegalArgumentException("'" + relative + "' escapes the store");
        }
        return path;
    }

    /** A path inside the store by name that a symbolic link leads out of it (one that does not exist leads nowhere). */
    private static boolean escapesByLink(Path store, Path path) {
        try {
            return Files.exists(path) && !path.toRealPath().startsWith(store.toRealPath());
        } catch (IOException e) {
            return true;
        }
    }
}
