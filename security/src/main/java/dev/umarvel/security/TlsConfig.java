package dev.umarvel.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code umarvel.tls.*}, read here for the mode only: {@link TlsConfigSourceFactory} turns the whole group into
 * the Quarkus server and client TLS settings.
 */
@ConfigMapping(prefix = "umarvel.tls")
public interface TlsConfig {

    /** The gRPC clients the services have (the orchestrator's three, and the test clients' "retrieval"). */
    String DEFAULT_CLIENTS = "embedder,reranker,trainer,retrieval";

    /** off, server (TLS on the port) or mutual (and every gRPC caller shows a certificate signed by umarvel.tls.ca). */
    @WithDefault("off")
    TlsMode mode();

    /** This service's certificate (PEM), served and shown to the services it calls in mutual mode. */
    Optional<Path> cert();

    /** Its private key (PEM, PKCS#8). */
    Optional<Path> key();

    /** The certificate authority (PEM) that signed the services' and callers' certificates. */
    Optional<Path> ca();

    /** The gRPC clients of this service that call over TLS (the orchestrator's model services; "retrieval" in tests). */
    @WithDefault(DEFAULT_CLIENTS)
    List<String> clients();
}
