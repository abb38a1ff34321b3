package dev.umarvel.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {

    @TempDir
    Path dir;

    @Test
    void addedTokensAreFoundByTheirDigestAndTheFileHoldsNoToken() throws Exception {
        Path file = dir.resolve("tokens");
        String cli = TokenFile.add(file, "cli", EnumSet.of(Scope.SEARCH));
        String ops = TokenFile.add(file, "ops", EnumSet.of(Scope.ADMIN, Scope.SEARCH));
        TokenFile tokens = new TokenFile(file);
        assertEquals(new Principal("cli", Set.of(Scope.SEARCH)), tokens.lookup(cli).orElseThrow());
        assertEquals(Set.of(Scope.ADMIN, Scope.SEARCH), tokens.lookup(ops).orElseThrow().scopes());
        assertTrue(tokens.lookup(cli + "x").isEmpty());
        assertTrue(tokens.lookup("").isEmpty());
        String text = Files.readString(file);
        assertFalse(text.contains(cli) || text.contains(ops), "the file must hold digests only");
        assertTrue(text.contains("ops search,admin " + TokenFile.digest(ops)), text);
        assertTrue(cli.startsWith("umv_") && cli.length() == 47, cli);
    }

    @Test
    void aSecondTokenOfTheSameNameIsRefused() throws Exception {
        Path file = dir.resolve("tokens");
        TokenFile.add(file, "cli", EnumSet.of(Scope.SEARCH));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenFile.add(file, "cli", EnumSet.of(Scope.TRAIN)));
        assertTrue(e.getMessage().contains("already"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TokenFile.add(file, "a b", EnumSet.of(Scope.TRAIN)));
    }

    @Test
    void malformedLinesNameTheirLine() {
        Path p = Path.of("tokens");
        String digest = "a".repeat(64);
        assertEquals("tokens:2: expected '<name> <scopes> <sha256>', got 2 fields",
                assertThrows(IllegalArgumentException.class, () -> TokenFile.parse(List.of("# c", "cli search"), p)).getMessage());
        assertEquals("tokens:1: unknown scope 'write' (search, admin, train)",
                assertThrows(IllegalArgumentException.class, () -> TokenFile.parse(List.of("cli write " + digest), p)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TokenFile.parse(List.of("cli search umv_plaintext"), p))
                .getMessage().contains("not a token"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TokenFile.parse(List.of("a search " + digest, "b admin " + digest), p))
                .getMessage().startsWith("tokens:2: the same token digest"));
    }

    @Test
    void anEditedFileIsReadAgainWithoutARestart() throws Exception {
        Path file = dir.resolve("tokens");
        String first = TokenFile.add(file, "first", EnumSet.of(Scope.SEARCH));
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        TokenFile tokens = new TokenFile(file, clock::get);
        String second = TokenFile.add(file, "second", EnumSet.of(Scope.TRAIN));
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertTrue(tokens.lookup(second).isEmpty(), "the file is not read again before its reload interval");
        clock.addAndGet(TokenFile.RELOAD_NANOS + 1);
        assertEquals("second", tokens.lookup(second).orElseThrow().name());
        Files.writeString(file, "this is not a tokens file\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 120_000));
        clock.addAndGet(TokenFile.RELOAD_NANOS + 1);
        assertEquals("first", tokens.lookup(first).orElseThrow().name(), "a broken edit keeps the tokens read last");
    }
}
