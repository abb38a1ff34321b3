package dev.umarvel.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServedStateTest {

    @TempDir
    Path store;

    @Test
    void theLastLoadIsRestoredUntilTheConfigurationChanges() throws Exception {
        Path file = ServedState.file(store, "embedder");
        assertEquals(Optional.empty(), ServedState.restore(file, "jobs/a/final"), "nothing recorded yet");
        ServedState s = new ServedState("jobs/a/final", "jobs/b/final", "jobs/a/final");
        s.save(file);
        assertEquals(Optional.of(s), ServedState.restore(file, "jobs/a/final"));
        assertEquals(Optional.empty(), ServedState.restore(file, "jobs/c/final"), "a changed umarvel.checkpoint wins");
        assertEquals(Optional.empty(), ServedState.restore(file, ""));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }

    @Test
    void anUnreadableOrEmptyRecordIsIgnored() throws Exception {
        Path file = ServedState.file(store, "reranker");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "configured=\\u00zz broken escape\n");
        assertTrue(ServedState.restore(file, "").isEmpty());
        new ServedState("", "", "").save(file);
        assertTrue(ServedState.restore(file, "").isEmpty(), "no live checkpoint: nothing to restore");
    }
}
