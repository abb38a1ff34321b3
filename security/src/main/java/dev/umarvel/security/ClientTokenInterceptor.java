package dev.umarvel.security;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Optional;

/** Puts this service's own token ({@code umarvel.auth.client-token[-file]}) on every call its gRPC clients make. */
@ApplicationScoped
@GlobalInterceptor
public class ClientTokenInterceptor implements ClientInterceptor {

    private final Optional<String> header;

    public ClientTokenInterceptor(AuthConfig auth) {
        Optional<String> token = auth.clientTokenFile().map(p -> {
            try {
                return Files.readString(p).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("umarvel.auth.client-token-file " + p + " cannot be read", e);
            }
        }).or(auth::clientToken).filter(t -> !t.isBlank());
        this.header = token.map(Bearer::header);
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        ClientCall<Q, R> call = next.newCall(method, options);
        if (header.isEmpty()) {
            return call;
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                if (!headers.containsKey(Bearer.AUTHORIZATION)) {
                    headers.put(Bearer.AUTHORIZATION, header.get());
                }
                super.start(listener, headers);
            }
        };
    }
}
