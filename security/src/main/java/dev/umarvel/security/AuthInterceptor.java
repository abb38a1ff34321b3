package dev.umarvel.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;
import java.util.Optional;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Every gRPC call of every service passes here first: in mutual TLS mode the caller must have shown a
 * certificate of our authority, and with a tokens file its bearer token must carry the scope the RPC needs
 * ({@link RpcScopes}). Refusals are UNAUTHENTICATED (no or bad credentials) or PERMISSION_DENIED (a valid
 * token without the scope); neither the token nor its digest is ever logged, only the token's name.
 */
@ApplicationScoped
@GlobalInterceptor
public class AuthInterceptor implements ServerInterceptor, Prioritized {

    /** The caller, for services that want to say who changed something. */
    public static final Context.Key<Principal> PRINCIPAL = Context.key("umarvel-principal");

    private static final Logger LOG = Logger.getLogger(AuthInterceptor.class.getName());

    private final Optional<TokenFile> tokens;
    private final boolean mutual;
    private final MeterRegistry registry;

    public AuthInterceptor(AuthConfig auth, TlsConfig tls, MeterRegistry registry) {
        this.registry = registry;
        this.tokens = auth.tokensFile().map(TokenFile::new);
        this.mutual = tls.mode() == TlsMode.MUTUAL;
        if (tokens.isPresent()) {
            LOG.info("gRPC authentication: " + tokens.get().size() + " tokens from " + auth.tokensFile().get());
        } else {
            LOG.warning("gRPC authentication is off (umarvel.auth.tokens-file is not set): any caller may call any RPC");
        }
    }

    @Override
    public int getPriority() {
        // before every other interceptor but SpecStatusMessages (which only encodes how a refusal's words travel) and
        // WritesOnTheEventLoop (which only moves writes to the loop): nothing runs for a caller we refuse
        return Integer.MAX_VALUE - 2;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (RpcScopes.open(method)) {
            return next.startCall(call, headers);
        }
        if (mutual && !peerVerified(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION))) {
            return refuse(call, "certificate", Status.UNAUTHENTICATED.withDescription("a client certificate signed by the umarvel CA is required (umarvel.tls.mode=mutual)"));
        }
        if (tokens.isEmpty()) {
            return next.startCall(call, headers);
        }
        String header = headers.get(Bearer.AUTHORIZATION);
        if (header == null) {
            return refuse(call, "missing", Status.UNAUTHENTICATED.withDescription("missing credentials: send metadata 'authorization: Bearer <token>'"));
        }
        Optional<String> token = Bearer.token(header);
        if (token.isEmpty()) {
            return refuse(call, "malformed", Status.UNAUTHENTICATED.withDescription("metadata 'authorization' must be 'Bearer <token>'"));
        }
        Optional<Principal> principal = tokens.get().lookup(token.get());
        if (principal.isEmpty()) {
            return refuse(call, "unknown", Status.UNAUTHENTICATED.withDescription("unknown or revoked token"));
        }
        if (!RpcScopes.anyToken(method)) {
            Optional<java.util.Set<Scope>> needed = RpcScopes.required(method);
            if (needed.isEmpty()) {
                return refuse(call, "closed", Status.PERMISSION_DENIED.withDescription(method + " is not open to any token"));
            }
            Optional<Scope> missing = needed.get().stream().sorted().filter(s -> !principal.get().may(s)).findFirst();
            if (missing.isPresent()) {
                LOG.fine(() -> "refused " + method + " to token '" + principal.get().name() + "'");
                return refuse(call, "scope", Status.PERMISSION_DENIED.withDescription("token '" + principal.get().name() + "' lacks scope '"
                        + missing.get().label() + "' required by " + method));
            }
        }
        return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, principal.get()), call, headers, next);
    }

    /**
     * The token's holder named by an HTTP {@code authorization} header, for the routes beside gRPC (the web console's
     * reads): empty when the header is absent, malformed, or names no token; never called with authentication off.
     */
    public Optional<Principal> principal(String authorization) {
        return Optional.ofNullable(authorization).flatMap(Bearer::token).flatMap(t -> tokens.orElseThrow().lookup(t));
    }

    /** Whether calls must carry a token (umarvel.auth.tokens-file is set). */
    public boolean enforced() {
        return tokens.isPresent();
    }

    private static boolean peerVerified(SSLSession session) {
        if (session == null) {
            return false;
        }
        try {
            return session.getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /**
     * Ends the call with {@code status} once its request has arrived. Closing inside interceptCall, the usual
     * gRPC way, makes the Vert.x bridge of Quarkus log a NullPointerException for every refused call.
     */
    private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String reason, Status status) {
        // umarvel_auth_refused_total{reason, rpc}: a burst of "unknown" is someone guessing, of "scope" a misconfigured client
        Counter.builder("umarvel.auth.refused").tag("reason", reason).tag("rpc", call.getMethodDescriptor().getFullMethodName())
                .register(registry).increment();
        call.request(1);
        return new ServerCall.Listener<>() {
            private boolean closed;

            @Override
            public void onMessage(Q message) {
                close();
            }

            @Override
            public void onHalfClose() {
                close();
            }

            private void close() {
                if (!closed) {
                    closed = true;
                    call.close(status, new Metadata());
                }
            }
        };
    }
}
