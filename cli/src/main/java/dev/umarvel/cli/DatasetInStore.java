package dev.umarvel.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * A dataset of the user's, anywhere on this machine, made readable to the services, which open only files inside their
 * store (a symbolic link out of it is refused: docs/security.md). A directory already in the store is used where it is;
 * any other is mirrored under {@code data/<its name>}, each file hard-linked (no copy on the same file system) or copied
 * where a link cannot be made. A marker names the source, so a second run refreshes the same mirror and a directory of
 * the same name from elsewhere is never overwritten.
 */
final class DatasetInStore {

    static final String SOURCE_MARKER = ".umarvel-source";

    /** What was done: the store-relative directory the services read, and how many files were linked or copied this time. */
    record Brought(String relative, long linked, long copied, boolean inPlace) {
        String describe(Path given) {
            return inPlace ? "data: " + relative + " (in the store)"
                    : String.format("data: %s mirrored into the store as %s (%d files linked, %d copied, the rest already there)", given,
                            relative, linked, copied);
        }
    }

    private DatasetInStore() {
    }

    static Brought bring(Path store, Path dataset) throws IOException {
        Path source = dataset.toRealPath();
        if (!Files.isDirectory(source)) {
            throw new NoSuchFileException(dataset + " (not a directory)");
        }
        Path root = store.toRealPath();
        if (source.startsWith(root)) {
            return new Brought(root.relativize(source).toString(), 0, 0, true);
        }
        if (root.startsWith(source)) {
            throw new IllegalArgumentException("--data: the store " + root + " lies inside " + source + ": give the dataset's own directory");
        }
        Path target = root.resolve("data").resolve(source.getFileName().toString());
        Path marker = target.resolve(SOURCE_MARKER);
        if (Files.exists(target) && !(Files.exists(marker) && Files.readString(marker).strip().equals(source.toString()))) {
            throw new FileAlreadyExistsException(target.toString(), null, "the store already holds a dataset of that name that is not a "
                    + "mirror of " + source + ": move one of them, or give --data a directory inside the store");
        }
        Files.createDirectories(target);
        Files.writeString(marker, source + "\n");
        long linked = 0;
        long copied = 0;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(source)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            Path to = target.resolve(source.relativize(file).toString());
            if (Files.exists(to) && (Files.isSameFile(to, file) || Files.size(to) == Files.size(file)
                    && Files.getLastModifiedTime(to).equals(Files.getLastModifiedTime(file)))) {
                continue;
            }
            Files.createDirectories(to.getParent());
            Path tmp = to.resolveSibling("." + to.getFileName() + ".part");
            Files.deleteIfExists(tmp);
            try {
                Files.createLink(tmp, file);
                linked++;
            } catch (IOException | UnsupportedOperationException e) { // another file system, or links not allowed: a copy
                Files.copy(file, tmp, StandardCopyOption.COPY_ATTRIBUTES);
                copied++;
            }
            Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return new Brought(root.relativize(target).toString(), linked, copied, false);
    }
}
