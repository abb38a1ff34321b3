package dev.umarvel.security;

import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * TLS on a channel a client builds itself (the CLI's, the orchestrator's to each model replica): trusting {@code ca}
 * (the JVM's trust store when null) and, in mutual mode, showing {@code cert} and {@code key}.
 */
public final class ChannelTls {

    private ChannelTls() {
    }

    /**
     * {@code b} speaking TLS as a service's own client does under {@code tls}: trusting umarvel.tls.ca and, in mutual
     * mode, showing the service's certificate (TlsConfigSourceFactory has checked that both files are there).
     */
    public static NettyChannelBuilder secure(NettyChannelBuilder b, TlsConfig tls) {
        boolean mutual = tls.mode() == TlsMode.MUTUAL;
        return secure(b, tls.ca().orElse(null), mutual ? tls.cert().orElseThrow() : null, mutual ? tls.key().orElseThrow() : null);
    }

    /** {@code b} speaking TLS; {@code cert} and {@code key} null where the caller shows no certificate. */
    public static NettyChannelBuilder secure(NettyChannelBuilder b, Path ca, Path cert, Path key) {
        try {
            SslContextBuilder ssl = GrpcSslContexts.forClient();
            if (ca != null) {
                ssl.trustManager(ca.toFile());
            }
            if (cert != null) {
                ssl.keyManager(cert.toFile(), key.toFile());
            }
            return b.sslContext(ssl.build());
        } catch (IOException e) {
            throw new UncheckedIOException("TLS from " + ca + ": " + e.getMessage(), e);
        }
    }
}
