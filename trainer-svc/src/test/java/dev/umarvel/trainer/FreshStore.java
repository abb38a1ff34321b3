package dev.umarvel.trainer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Gives each test run of the service an empty store, so job ids and records of an earlier run do not leak in. */
public class FreshStore implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            Path target = Path.of("target").toAbsolutePath();
            Files.createDirectories(target);
            return Map.of("umarvel.store", Files.createTempDirectory(target, "test-store-").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {}
}
