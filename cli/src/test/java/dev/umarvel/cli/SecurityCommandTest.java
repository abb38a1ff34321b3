package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.security.Scope;
import dev.umarvel.security.TokenFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecurityCommandTest {

    @TempDir
    Path dir;

    @Test
    void initMakesCertificatesAndTokensOnceAndTheClientReadsThem() throws Exception {
        Path sec = dir.resolve("security");
        assertEquals(0, Umarvel.run("security", "init", "--dir", sec.toString(), "--name", "search.example.org"));
        for (String f : new String[] {"ca.crt", "ca.key", "tls.crt", "tls.key", "client.crt", "client.key", "tokens", "admin.token", "orchestrator.token"}) {
            assertTrue(Files.exists(sec.resolve(f)), f);
        }
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(sec.resolve("admin.token")));
        String admin = Files.readString(sec.resolve("admin.token")).strip();
        TokenFile tokens = new TokenFile(sec.resolve("tokens"));
        assertEquals(EnumSet.allOf(Scope.class), tokens.lookup(admin).orElseThrow().scopes());
        String before = Files.readString(sec.resolve("tokens"));
        String cert = Files.readString(sec.resolve("tls.crt"));

        assertEquals(0, Umarvel.run("security", "init", "--dir", sec.toString()));
        assertEquals(before, Files.readString(sec.resolve("tokens")), "a second init keeps the tokens");
        assertEquals(cert, Files.readString(sec.resolve("tls.crt")), "and the certificates");

        ClientSecurity client = ClientSecurity.fromDir(sec, "admin");
        assertEquals(admin, client.token());
        assertEquals(sec.resolve("client.crt"), client.cert());
        assertEquals("https", client.scheme());
    }

    @Test
    void tokenPrintsANewTokenOnceAndRefusesUnknownScopes() throws Exception {
        Path file = dir.resolve("tokens");
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        int code;
        try {
            code = Umarvel.run("security", "token", "--tokens-file", file.toString(), "--name", "dashboard", "--scopes", "search");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code);
        String token = out.toString().strip();
        assertEquals("dashboard", new TokenFile(file).lookup(token).orElseThrow().name());
        assertEquals(1, Umarvel.run("security", "token", "--tokens-file", file.toString(), "--name", "x", "--scopes", "write"));
        assertEquals(1, Umarvel.run("security", "token", "--tokens-file", file.toString(), "--name", "dashboard", "--scopes", "admin"));
    }
}
