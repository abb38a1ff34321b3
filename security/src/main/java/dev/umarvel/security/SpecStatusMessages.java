package dev.umarvel.security;

import io.grpc.ForwardingServerCall;
import io.grpc.InternalStatus;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;

/**
 * Every error description leaves every service encoded as the gRPC spec says, so that a client in any language reads
 * it verbatim. Our services answer gRPC through Vert.x's server (gRPC and HTTP share one port), which percent-encodes a
 * status message like a URL component: "top_k: must be in 1..1000, got -3" went out as "top_k%3A must be in
 * 1..1000%2C got -3". The spec (PROTOCOL-HTTP2.md, Status-Message) encodes only bytes outside printable ASCII and '%'
 * itself; grpc-java decodes any percent sequence and hid this, Node's grpc-js decodes with decodeURI and showed the
 * escapes to its users. Here the message trailer is written with grpc-java's own spec encoder, and the server is
 * handed the status without its description, which it then leaves alone.
 *
 * <p>Lives beside {@link AuthInterceptor} because this module is the gRPC edge all four services share; it runs
 * outside it, so the refusals it writes are encoded the same way.
 */
@ApplicationScoped
@GlobalInterceptor
public class SpecStatusMessages implements ServerInterceptor, Prioritized {

    @Override
    public int getPriority() {
        return Integer.MAX_VALUE; // the outermost: every close of every interceptor inside passes through here
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                super.close(withoutDescription(status, trailers), trailers);
            }
        }, headers);
    }

    /**
     * {@code status} with its description moved into {@code trailers} as the spec-encoded "grpc-message" (an OK
     * status, or one without a description, is returned as it is).
     */
    static Status withoutDescription(Status status, Metadata trailers) {
        if (status.isOk() || status.getDescription() == null) {
            return status;
        }
        trailers.discardAll(InternalStatus.MESSAGE_KEY);
        trailers.put(InternalStatus.MESSAGE_KEY, status.getDescription()); // grpc-java's spec encoder (Status.MESSAGE_KEY)
        return Status.fromCode(status.getCode()).withCause(status.getCause());
    }
}
