package dev.umarvel.mbeir.synth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Writes each distinct rendering once, as {@code mbeir_images/<folder>/<n>.png}, and remembers its path. */
final class ImageFolder {

    private final Path root;
    private final Map<String, Map<String, String>> paths = new HashMap<>();
    private int written;

    ImageFolder(Path root) {
        this.root = root;
    }

    /** The path (relative to the dataset root) of a rendering, writing the PNG the first time. */
    String path(String folder, Scene scene, int variant) throws IOException {
        Map<String, String> known = paths.computeIfAbsent(folder, f -> new HashMap<>());
        String key = scene.key() + "#" + variant;
        String existing = known.get(key);
        if (existing != null) {
            return existing;
        }
        String relative = "mbeir_images/" + folder + "/" + known.size() + ".png";
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, Renderer.png(scene, variant));
        known.put(key, relative);
        written++;
        return relative;
    }

    int written() {
        return written;
    }
}
