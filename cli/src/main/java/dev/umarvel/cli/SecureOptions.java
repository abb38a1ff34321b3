package dev.umarvel.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of every command that calls a service: TLS material and the bearer token (never echoed). */
final class SecureOptions {

    @Option(names = "--tls-dir", defaultValue = "${env:UMARVEL_TLS_DIR}", description = "Speak TLS, trusting ca.crt of this directory "
            + "and showing its client.crt/client.key (umarvel security init makes one; env UMARVEL_TLS_DIR; default: plaintext).")
    Path tlsDir;

    @Option(names = "--token-file", defaultValue = "${env:UMARVEL_TOKEN_FILE}", description = "A file holding the bearer token to "
            + "send (env UMARVEL_TOKEN_FILE, or the token itself in UMARVEL_TOKEN; default: none).")
    Path tokenFile;

    ClientSecurity security() throws IOException {
        ClientSecurity s = tlsDir == null ? ClientSecurity.PLAIN : ClientSecurity.tls(tlsDir);
        String token = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("UMARVEL_TOKEN");
        return s.withToken(token == null || token.isBlank() ? null : token);
    }
}
