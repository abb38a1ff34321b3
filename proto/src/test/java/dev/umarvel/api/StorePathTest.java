package dev.umarvel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store confinement every service applies to the paths it is given (docs/security.md), case by case. */
class StorePathTest {

    @TempDir Path dir;
    Path store;
    Path outside;

    @BeforeEach
    void layout() throws Exception {
        store = Files.createDirectories(dir.resolve("store"));
        outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "not yours");
        Files.createDirectories(store.resolve("data/own"));
        Files.writeString(store.resolve("data/own/pool.jsonl"), "{}");
    }

    private String refusal(String relative) {
        return assertThrows(IllegalArgumentException.class, () -> StorePath.confine(store, relative)).getMessage();
    }

    @Test
    void aPathInsideTheStoreIsItsAbsoluteForm() {
        assertEquals(store.resolve("data/own/pool.jsonl"), StorePath.confine(store, "data/own/pool.jsonl"));
        assertEquals(store.resolve("data/own/pool.jsonl"), StorePath.confine(store, "data/x/../own/./pool.jsonl"));
        assertEquals(store.resolve("jobs/new/final"), StorePath.confine(store, "jobs/new/final"), "a path still to be written is fine");
    }

    @Test
    void absolutePathsAndDotsPastTheRootEscape() {
        assertEquals("empty", refusal(" "));
        assertEquals("'/etc/passwd' escapes the store", refusal("/etc/passwd"));
        assertEquals("'../outside/secret.txt' escapes the store", refusal("../outside/secret.txt"));
        assertEquals("'data/../../outside' escapes the store", refusal("data/../../outside"));
    }

    @Test
    void aLinkOutOfTheStoreIsRefusedWhereverItIsOnThePath() throws Exception {
        Files.createSymbolicLink(store.resolve("data/secret.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(store.resolve("elsewhere"), outside);
        assertEquals("'data/secret.txt' leads out of the store through a link", refusal("data/secret.txt"));
        assertEquals("'elsewhere/secret.txt' leads out of the store through a link", refusal("elsewhere/secret.txt"));
        // nothing there yet: a write would still land outside, through the linked directory above it
        assertEquals("'elsewhere/jobs/new/final' leads out of the store through a link", refusal("elsewhere/jobs/new/final"));
    }

    @Test
    void aLinkToNothingIsRefusedSinceAWriteWouldCreateItsTarget() throws Exception {
        Files.createSymbolicLink(store.resolve("data/later.jsonl"), outside.resolve("not-yet.jsonl"));
        assertEquals("'data/later.jsonl' leads through a link to nothing", refusal("data/later.jsonl"));
    }

    @Test
    void linksThatStayInsideAndAStoreThatIsItselfALinkAreFine() throws Exception {
        Files.createSymbolicLink(store.resolve("current"), store.resolve("data/own"));
        assertEquals(store.resolve("current/pool.jsonl"), StorePath.confine(store, "current/pool.jsonl"));
        Path linkedStore = Files.createSymbolicLink(dir.resolve("store-link"), store);
        assertEquals(linkedStore.resolve("data/own/pool.jsonl"), StorePath.confine(linkedStore, "data/own/pool.jsonl"));
    }
}
