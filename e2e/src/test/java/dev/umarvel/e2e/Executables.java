package dev.umarvel.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/** The tools some tests drive (kustomize, node): found on the PATH, or the test skips. */
public final class Executables {

    private Executables() {
    }

    /** {@code command} in the first directory of the PATH that has it executable. */
    public static Optional<Path> onPath(String command) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, command)).filter(Files::isExecutable).findFirst();
    }
}
