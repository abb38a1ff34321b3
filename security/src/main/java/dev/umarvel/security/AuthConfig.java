package dev.umarvel.security;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.Optional;

/** {@code umarvel.auth.*}: who may call this service, and what it sends when it calls another. */
@ConfigMapping(prefix = "umarvel.auth")
public interface AuthConfig {

    /** The accepted tokens ({@link TokenFile}); unset, no token is checked and the service says so when it starts. */
    Optional<Path> tokensFile();

    /** A file holding the token this service sends on its own calls (the orchestrator's to the model services). */
    Optional<Path> clientTokenFile();

    /** The same token given inline (UMARVEL_AUTH_CLIENT_TOKEN); the file wins when both are set. */
    Optional<String> clientToken();

}
