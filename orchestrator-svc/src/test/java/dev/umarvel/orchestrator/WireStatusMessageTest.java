package dev.umarvel.orchestrator;

import static dev.umarvel.orchestrator.CollectionsTest.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchRequest;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An error's description as it is on the wire, read by a bare HTTP/2 client: in the gRPC spec's encoding (only bytes
 * outside printable ASCII, and '%', are percent-encoded), which every gRPC implementation decodes to the words the
 * service wrote; and the Java client still reads exactly those words.
 */
@QuarkusTest
@QuarkusTestResource(FakeModels.class)
class WireStatusMessageTest {

    @Inject
    Vertx vertx;

    @GrpcClient("retrieval")
    RetrievalGrpc.RetrievalBlockingStub retrieval;

    static SearchRequest search(String collection, int topK) {
        return SearchRequest.newBuilder().setCollection(collection).setTopK(topK)
                .setQuery(Query.newBuilder().setContent(Content.newBuilder().setText("cat"))).build();
    }

    /** The grpc-status and grpc-message a bare HTTP/2 POST of {@code request} to Search gets back, unparsed. */
    String[] onTheWire(SearchRequest request) throws Exception {
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
        try {
            byte[] message = request.toByteArray();
            Buffer frame = Buffer.buffer().appendByte((byte) 0).appendInt(message.length).appendBytes(message); // uncompressed, length, message
            return http.request(HttpMethod.POST, 8081, "localhost", "/umarvel.v1.Retrieval/Search")
                    .compose(req -> req.putHeader("content-type", "application/grpc").putHeader("te", "trailers").send(frame))
                    .compose(resp -> resp.body().map(body -> {
                        // a trailers-only answer carries them in its headers
                        var where = resp.trailers().contains("grpc-status") ? resp.trailers() : resp.headers();
                        return new String[] {where.get("grpc-status"), where.get("grpc-message")};
                    }))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            http.close();
        }
    }

    @Test
    void descriptionsTravelInTheSpecEncoding() throws Exception {
        // reserved URL characters (':' ',') travel as they are
        String[] top = onTheWire(search("zoo", 1001));
        assertEquals("3", top[0]);
        assertEquals("top_k: must be in 1..1000, got 1001", top[1]);
        // non-ASCII bytes and '%' are the only ones encoded
        String[] absent = onTheWire(search("café 100%", 5));
        assertEquals(String.valueOf(Status.Code.NOT_FOUND.value()), absent[0]);
        assertEquals("collection: no collection named caf%C3%A9 100%25", absent[1]);
        // and a Java client reads the very words the service wrote
        assertEquals("collection: no collection named café 100%",
                refusal(Status.Code.NOT_FOUND, () -> retrieval.search(search("café 100%", 5))).getStatus().getDescription());
    }
}
