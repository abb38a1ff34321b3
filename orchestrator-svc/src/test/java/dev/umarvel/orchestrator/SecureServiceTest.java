package dev.umarvel.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.ListCollectionsRequest;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.security.Bearer;
import dev.umarvel.security.Pem;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.netty.handler.ssl.SslContextBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Mutual TLS and bearer tokens on a real orchestrator: each way in that must fail fails with its exact status. */
@QuarkusTest
@TestProfile(SecureProfile.class)
class SecureServiceTest {

    private static final int PORT = 8081;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(ManagedChannel::shutdownNow);
    }

    private RetrievalGrpc.RetrievalBlockingStub stub(boolean tls, boolean clientCertificate, String token) throws Exception {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress("localhost", PORT);
        if (tls) {
            SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(SecureProfile.DIR.resolve("ca.crt").toFile());
            if (clientCertificate) {
                ssl.keyManager(SecureProfile.DIR.resolve("client.crt").toFile(), SecureProfile.DIR.resolve("client.key").toFile());
            }
            b.sslContext(ssl.build());
        } else {
            b.usePlaintext();
        }
        ManagedChannel channel = b.build();
        channels.add(channel);
        RetrievalGrpc.RetrievalBlockingStub stub = RetrievalGrpc.newBlockingStub(channel);
        return token == null ? stub : stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(Bearer.metadata(token)));
    }

    private static Status status(Executable call) {
        return assertThrows(StatusRuntimeException.class, call).getStatus();
    }

    @Test
    void onlyACertifiedCallerWithTheRightScopeGetsIn() throws Exception {
        ListCollectionsRequest list = ListCollectionsRequest.getDefaultInstance();
        String reader = SecureProfile.token("reader");
        String ops = SecureProfile.token("ops");

        assertEquals(Status.Code.UNAVAILABLE, status(() -> stub(false, false, ops).listCollections(list)).getCode(), "plaintext to a TLS port");
        Status noCert = status(() -> stub(true, false, ops).listCollections(list));
        assertEquals(Status.Code.UNAUTHENTICATED, noCert.getCode());
        assertEquals("a client certificate signed by the umarvel CA is required (umarvel.tls.mode=mutual)", noCert.getDescription());
        Status noToken = status(() -> stub(true, true, null).listCollections(list));
        assertEquals(Status.Code.UNAUTHENTICATED, noToken.getCode());
        assertEquals(Status.Code.UNAUTHENTICATED, status(() -> stub(true, true, reader + "x").listCollections(list)).getCode());
        Status denied = status(() -> stub(true, true, reader).createCollection(CreateCollectionRequest.newBuilder().setName("secure").build()));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getCode());
        assertEquals("token 'reader' lacks scope 'admin' required by umarvel.v1.Retrieval/CreateCollection", denied.getDescription());

        RetrievalGrpc.RetrievalBlockingStub admin = stub(true, true, ops);
        admin.dropCollection(DropCollectionRequest.newBuilder().setName("secure").setIfExists(true).build());
        FakeModels.authorization.clear();
        admin.createCollection(CreateCollectionRequest.newBuilder().setName("secure").build());
        assertEquals(Bearer.header(SecureProfile.token("orchestrator")), FakeModels.authorization.get("umarvel.v1.Embedder"),
                "the orchestrator calls the embedder with its own token, not the caller's");
        assertTrue(stub(true, true, reader).listCollections(list).getCollectionsList().stream().anyMatch(c -> c.getName().equals("secure")));

        String metrics = HttpClient.newBuilder().sslContext(Pem.trusting(SecureProfile.DIR.resolve("ca.crt"))).build()
                .send(HttpRequest.newBuilder(URI.create("https://localhost:" + PORT + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("umarvel_auth_refused_total{reason=\"scope\",rpc=\"umarvel.v1.Retrieval/CreateCollection\"} 1.0"),
                metrics.lines().filter(l -> l.startsWith("umarvel_auth")).toList().toString());
    }

    @Test
    void healthAndMetricsAnswerOverTlsWithoutAClientCertificate() throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(Pem.trusting(SecureProfile.DIR.resolve("ca.crt"))).build();
        for (String path : List.of("/q/health/live", "/q/metrics")) {
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + PORT + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path);
        }
        assertThrows(java.io.IOException.class, () -> HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/q/health/live")).build(), HttpResponse.BodyHandlers.ofString()),
                "the plain port is closed");
    }

    @Test
    void theConsolesJsonFaceHoldsTheCallerToItsTokenAndScopes() throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(Pem.trusting(SecureProfile.DIR.resolve("ca.crt"))).build();
        java.util.function.BiFunction<String, String, HttpResponse<String>> post = (token, method) -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + PORT + "/api/v1/Retrieval/" + method))
                    .POST(HttpRequest.BodyPublishers.ofString("{}"));
            if (token != null) {
                b.header("authorization", "Bearer " + token);
            }
            try {
                return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        // the page itself needs no token: what it calls does
        assertEquals(200, https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + PORT + "/console/")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> none = post.apply(null, "ListCollections");
        assertEquals(401, none.statusCode());
        assertEquals("{\"code\":\"UNAUTHENTICATED\",\"message\":\"missing credentials: send metadata 'authorization: Bearer <token>'\"}",
                normalised(none.body()));
        assertEquals(200, post.apply(SecureProfile.token("reader"), "ListCollections").statusCode());
        HttpResponse<String> denied = post.apply(SecureProfile.token("reader"), "DropCollection");
        assertEquals(403, denied.statusCode());
        assertTrue(denied.body().contains("PERMISSION_DENIED"), denied.body());
        HttpResponse<String> runs = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + PORT + "/api/v1/distill/runs"))
                .header("authorization", "Bearer " + SecureProfile.token("reader")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, runs.statusCode());
        assertEquals("{\"code\":\"PERMISSION_DENIED\",\"message\":\"token 'reader' lacks scope train\"}", normalised(runs.body()));
    }

    /** A JSON object with its keys in a fixed order (code, message). */
    private static String normalised(String json) throws Exception {
        com.fasterxml.jackson.databind.JsonNode n = dev.umarvel.mbeir.Json.MAPPER.readTree(json);
        return "{\"code\":" + n.get("code") + ",\"message\":" + n.get("message") + "}";
    }
}
