package dev.umarvel.security;

/** How a service's port is secured ({@code umarvel.tls.mode}). */
public enum TlsMode {
    /** Plaintext: a laptop, or a mesh that encrypts for us. */
    OFF,
    /** TLS with the service's certificate; callers verify it against umarvel.tls.ca. */
    SERVER,
    /** TLS both ways: gRPC callers must present a certificate signed by umarvel.tls.ca (health and metrics need none). */
    MUTUAL
}
