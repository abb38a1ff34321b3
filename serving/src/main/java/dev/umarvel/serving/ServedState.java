package dev.umarvel.serving;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * What a model service serves, kept in the store ({@code serving/<kind>.properties}) after every load, so that a
 * restart comes back with the model of the last LoadModel (and the one it retains) rather than the one configured
 * at start. A changed configuration wins: the file also records the checkpoint configured when it was written, and
 * is ignored once {@code umarvel.checkpoint} names another.
 *
 * @param configured the umarvel.checkpoint in force when the state was written ("" for none)
 * @param live the checkpoint in service
 * @param retained the checkpoint retained beside it ("" for none)
 */
public record ServedState(String configured, String live, String retained) {

    public static Path file(Path store, String kind) {
        return store.resolve("serving").resolve(kind + ".properties");
    }

    /** The state in {@code file} when it applies to {@code configured}; empty when absent, unreadable or outdated. */
    public static Optional<ServedState> restore(Path file, String configured) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        ServedState s = new ServedState(p.getProperty("configured", ""), p.getProperty("live", ""), p.getProperty("retained", ""));
        return s.configured().equals(configured) && !s.live().isBlank() ? Optional.of(s) : Optional.empty();
    }

    /** Writes the state whole to a temporary file and renames it over the old one. */
    public void save(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("configured", configured);
        p.setProperty("live", live);
        p.setProperty("retained", retained);
        StringWriter text = new StringWriter();
        p.store(text, "what this model service serves; rewritten after every LoadModel");
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        Files.writeString(tmp, text.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
