package dev.umarvel.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.DropCollectionResponse;
import dev.umarvel.api.v1.ListCollectionsRequest;
import dev.umarvel.api.v1.ListCollectionsResponse;
import dev.umarvel.api.v1.RetrievalGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthInterceptorTest {

    @TempDir
    Path dir;

    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    private Server server;
    private ManagedChannel channel;
    private final List<String> callers = new CopyOnWriteArrayList<>();

    /** A Retrieval service that answers two RPCs and notes who called. */
    private final class Echo extends RetrievalGrpc.RetrievalImplBase {
        @Override
        public void listCollections(ListCollectionsRequest r, StreamObserver<ListCollectionsResponse> out) {
            callers.add(AuthInterceptor.PRINCIPAL.get() == null ? "-" : AuthInterceptor.PRINCIPAL.get().name());
            out.onNext(ListCollectionsResponse.getDefaultInstance());
            out.onCompleted();
        }

        @Override
        public void dropCollection(DropCollectionRequest r, StreamObserver<DropCollectionResponse> out) {
            callers.add(AuthInterceptor.PRINCIPAL.get().name());
            out.onNext(DropCollectionResponse.getDefaultInstance());
            out.onCompleted();
        }
    }

    private RetrievalGrpc.RetrievalBlockingStub start(Optional<Path> tokens, TlsMode mode) throws Exception {
        AuthConfig auth = new AuthConfig() {
            public Optional<Path> tokensFile() {
                return tokens;
            }

            public Optional<Path> clientTokenFile() {
                return Optional.empty();
            }

            public Optional<String> clientToken() {
                return Optional.empty();
            }
        };
        TlsConfig tls = new TlsConfig() {
            public TlsMode mode() {
                return mode;
            }

            public Optional<Path> cert() {
                return Optional.empty();
            }

            public Optional<Path> key() {
                return Optional.empty();
            }

            public Optional<Path> ca() {
                return Optional.empty();
            }

            public List<String> clients() {
                return List.of();
            }
        };
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(ServerInterceptors.intercept(new Echo(), new AuthInterceptor(auth, tls, registry)))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        return RetrievalGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    private static <S extends io.grpc.stub.AbstractStub<S>> S with(S stub, String header) {
        Metadata m = new Metadata();
        m.put(Bearer.AUTHORIZATION, header);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    private static Status status(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus();
    }

    @Test
    void eachCredentialGetsItsExactStatus() throws Exception {
        Path file = dir.resolve("tokens");
        String search = TokenFile.add(file, "reader", EnumSet.of(Scope.SEARCH));
        String admin = TokenFile.add(file, "ops", EnumSet.of(Scope.SEARCH, Scope.ADMIN));
        RetrievalGrpc.RetrievalBlockingStub stub = start(Optional.of(file), TlsMode.OFF);
        ListCollectionsRequest list = ListCollectionsRequest.getDefaultInstance();
        DropCollectionRequest drop = DropCollectionRequest.newBuilder().setName("c").build();

        Status missing = status(() -> stub.listCollections(list));
        assertEquals(Status.Code.UNAUTHENTICATED, missing.getCode());
        assertEquals("missing credentials: send metadata 'authorization: Bearer <token>'", missing.getDescription());
        assertEquals("metadata 'authorization' must be 'Bearer <token>'", status(() -> with(stub, "Basic dXNlcg==").listCollections(list)).getDescription());
        assertEquals("unknown or revoked token", status(() -> with(stub, Bearer.header(search + "0")).listCollections(list)).getDescription());
        Status denied = status(() -> with(stub, Bearer.header(search)).dropCollection(drop));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getCode());
        assertEquals("token 'reader' lacks scope 'admin' required by umarvel.v1.Retrieval/DropCollection", denied.getDescription());

        with(stub, Bearer.header(search)).listCollections(list);
        with(stub, "bearer " + admin).dropCollection(drop);
        assertEquals(List.of("reader", "ops"), callers, "only the admitted calls ran, under their token's name");
        for (String reason : List.of("missing", "malformed", "unknown", "scope")) {
            assertEquals(1.0, registry.get("umarvel.auth.refused").tag("reason", reason).counter().count(), reason);
        }
    }

    @Test
    void withoutATokensFileEveryCallPasses() throws Exception {
        start(Optional.empty(), TlsMode.OFF).listCollections(ListCollectionsRequest.getDefaultInstance());
        assertEquals(List.of("-"), callers);
    }

    @Test
    void mutualModeRefusesACallerWithoutACertificate() throws Exception {
        RetrievalGrpc.RetrievalBlockingStub stub = start(Optional.empty(), TlsMode.MUTUAL);
        Status s = status(() -> stub.listCollections(ListCollectionsRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, s.getCode());
        assertEquals("a client certificate signed by the umarvel CA is required (umarvel.tls.mode=mutual)", s.getDescription());
        assertEquals(List.of(), callers);
    }
}
