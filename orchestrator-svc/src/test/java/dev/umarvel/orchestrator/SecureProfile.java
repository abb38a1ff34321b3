package dev.umarvel.orchestrator;

import dev.umarvel.security.CertificateAuthority;
import dev.umarvel.security.Scope;
import dev.umarvel.security.TokenFile;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * The orchestrator with mutual TLS on its port and bearer tokens required: a CA, a certificate for the service
 * and one for the test's client, and three tokens (reader: search; ops: search+admin; the orchestrator's own,
 * sent to the fake model services) under target/secure, made once per build.
 */
public class SecureProfile implements QuarkusTestProfile {

    static final Path DIR = Path.of("target/secure").toAbsolutePath();

    static synchronized void ensure() {
        try {
            if (Files.exists(DIR.resolve("orchestrator.token"))) {
                return;
            }
            CertificateAuthority ca = CertificateAuthority.open(DIR);
            ca.issue("tls", List.of("localhost", "127.0.0.1"));
            ca.issue("client", List.of("localhost"));
            Path tokens = DIR.resolve("tokens");
            Files.deleteIfExists(tokens);
            Files.writeString(DIR.resolve("reader.token"), TokenFile.add(tokens, "reader", EnumSet.of(Scope.SEARCH)));
            Files.writeString(DIR.resolve("ops.token"), TokenFile.add(tokens, "ops", EnumSet.of(Scope.SEARCH, Scope.ADMIN)));
            Files.writeString(DIR.resolve("orchestrator.token"), TokenFile.add(tokens, "orchestrator", EnumSet.allOf(Scope.class)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String token(String name) throws IOException {
        return Files.readString(DIR.resolve(name + ".token"));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        ensure();
        return Map.of("umarvel.tls.mode", "mutual",
                "umarvel.tls.cert", DIR.resolve("tls.crt").toString(),
                "umarvel.tls.key", DIR.resolve("tls.key").toString(),
                "umarvel.tls.ca", DIR.resolve("ca.crt").toString(),
                // the fake model services stay plaintext; only the test's own client speaks TLS
                "umarvel.tls.clients", "retrieval",
                "umarvel.auth.tokens-file", DIR.resolve("tokens").toString(),
                "umarvel.auth.client-token-file", DIR.resolve("orchestrator.token").toString(),
                "umarvel.store", "target/secure-store");
    }
}
