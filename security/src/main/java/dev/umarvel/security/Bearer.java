package dev.umarvel.security;

import io.grpc.Metadata;
import java.util.Optional;

/** The {@code authorization: Bearer <token>} metadata of gRPC calls. */
public final class Bearer {

    public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String PREFIX = "Bearer ";

    private Bearer() {
    }

    public static String header(String token) {
        return PREFIX + token;
    }

    /** The token of a header value; empty when it is not a bearer credential. */
    public static Optional<String> token(String header) {
        if (header == null || header.length() <= PREFIX.length() || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return Optional.empty();
        }
        return Optional.of(header.substring(PREFIX.length()).strip());
    }

    /** Metadata carrying {@code token}, for stubs' {@code withCallCredentials} or interceptors. */
    public static Metadata metadata(String token) {
        Metadata m = new Metadata();
        m.put(AUTHORIZATION, header(token));
        return m;
    }
}
