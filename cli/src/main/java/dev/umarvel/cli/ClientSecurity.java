package dev.umarvel.cli;

import dev.umarvel.security.Bearer;
import dev.umarvel.security.ChannelTls;
import dev.umarvel.security.Pem;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a client reaches the services: plaintext, or TLS trusting {@code ca} (and showing {@code cert}/{@code key}
 * to a service in mutual mode), with or without a bearer token. The token is never printed.
 */
public record ClientSecurity(Path ca, Path cert, Path key, String token) {

    public static final ClientSecurity PLAIN = new ClientSecurity(null, null, null, null);

    /** TLS from a directory made by {@code umarvel security init}: trusting its ca.crt, showing client.crt/client.key when there. */
    public static ClientSecurity tls(Path dir) {
        Path cert = dir.resolve("client.crt");
        boolean shows = Files.exists(cert);
        return new ClientSecurity(dir.resolve("ca.crt"), shows ? cert : null, shows ? dir.resolve("client.key") : null, null);
    }

    /** As {@link #tls(Path)}, with the token of {@code <tokenName>.token} in the same directory when there is one. */
    public static ClientSecurity fromDir(Path dir, String tokenName) throws IOException {
        Path tokenFile = dir.resolve(tokenName + ".token");
        return tls(dir).withToken(Files.exists(tokenFile) ? Files.readString(tokenFile).strip() : null);
    }

    public boolean encrypted() {
        return ca != null;
    }

    public ClientSecurity withToken(String t) {
        return new ClientSecurity(ca, cert, key, t);
    }

    /** A channel to {@code target} (host:port) that puts the token on every call. */
    public ManagedChannel channel(String target, int maxInboundBytes) {
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(target).maxInboundMessageSize(maxInboundBytes);
        if (encrypted()) {
            ChannelTls.secure(b, ca, cert, key);
        } else {
            b.usePlaintext();
        }
        if (token != null) {
            b.intercept(MetadataUtils.newAttachHeadersInterceptor(Bearer.metadata(token)));
        }
        return b.build();
    }

    public ManagedChannel channel(String target) {
        return channel(target, 64 << 20);
    }

    /** An HTTP client for /q/health and /q/metrics, and the scheme to use with it. */
    public HttpClient http() {
        try {
            return encrypted() ? HttpClient.newBuilder().sslContext(Pem.trusting(ca)).build() : HttpClient.newHttpClient();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String scheme() {
        return encrypted() ? "https" : "http";
    }

    /** The settings that run a service under this directory's certificates and tokens (mutual TLS, tokens required). */
    public static java.util.Map<String, String> serverSettings(Path dir, boolean callsOthers) {
        java.util.Map<String, String> s = new java.util.HashMap<>(java.util.Map.of("umarvel.tls.mode", "mutual",
                "umarvel.tls.cert", dir.resolve("tls.crt").toString(), "umarvel.tls.key", dir.resolve("tls.key").toString(),
                "umarvel.tls.ca", dir.resolve("ca.crt").toString(), "umarvel.auth.tokens-file", dir.resolve("tokens").toString()));
        if (callsOthers) {
            s.put("umarvel.auth.client-token-file", dir.resolve("orchestrator.token").toString());
        }
        return s;
    }
}
