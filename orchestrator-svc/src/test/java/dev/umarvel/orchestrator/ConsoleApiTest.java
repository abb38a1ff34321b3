package dev.umarvel.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.Hit;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.api.v1.UpsertRequest;
import dev.umarvel.api.v1.Candidate;
import dev.umarvel.mbeir.Json;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The console's JSON face on the orchestrator's port: the gRPC API's own answers and refusals as JSON (the same hits,
 * the same field-naming descriptions), the HTTP status of each refusal, and the reads beside it kept inside the store.
 */
@QuarkusTest
@QuarkusTestResource(FakeModels.class)
class ConsoleApiTest {

    static final String BASE = "http://localhost:8081";

    @GrpcClient("retrieval")
    RetrievalGrpc.RetrievalBlockingStub retrieval;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(BASE + path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(BASE + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void refusal(HttpResponse<String> r, int status, String code, String message) throws Exception {
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertEquals(List.of(status, code, message), List.of(r.statusCode(), body.path("code").asText(), body.path("message").asText()), r.body());
    }

    @Test
    void aSearchAnswersAsTheGrpcApiDoes() throws Exception {
        retrieval.dropCollection(DropCollectionRequest.newBuilder().setName("console").setIfExists(true).build());
        retrieval.createCollection(CreateCollectionRequest.newBuilder().setName("console").build());
        UpsertRequest.Builder up = UpsertRequest.newBuilder().setCollection("console");
        for (String text : List.of("a red circle", "a blue square", "a red square", "a green star")) {
            up.addCandidates(Candidate.newBuilder().setDid("d" + up.getCandidatesCount()).setContent(Content.newBuilder().setText(text)));
        }
        RetrievalGrpc.newStub(retrieval.getChannel()).upsert(new io.grpc.stub.StreamObserver<>() {
            public void onNext(dev.umarvel.api.v1.UpsertResponse v) { }
            public void onError(Throwable t) { }
            public void onCompleted() { }
        }).onNext(up.build());
        long until = System.nanoTime() + 30_000_000_000L;
        SearchRequest request = SearchRequest.newBuilder().setCollection("console").setTopK(3).setMode(SearchMode.SEARCH_MODE_CASCADE)
                .setQuery(Query.newBuilder().setContent(Content.newBuilder().setText("red circle"))).build();
        List<String> grpc = List.of();
        while (grpc.size() < 3 && System.nanoTime() < until) { // the stream's one chunk is written asynchronously
            grpc = retrieval.search(request).getHitsList().stream().map(Hit::getDid).toList();
        }
        HttpResponse<String> r = post("/api/v1/Retrieval/Search", com.google.protobuf.util.JsonFormat.printer().print(request));
        assertEquals(200, r.statusCode(), r.body());
        List<String> json = new ArrayList<>();
        Json.MAPPER.readTree(r.body()).get("hits").forEach(h -> json.add(h.get("did").asText()));
        assertEquals(grpc, json);
        assertEquals("SEARCH_MODE_CASCADE", Json.MAPPER.readTree(r.body()).get("modeRun").asText());
    }

    @Test
    void refusalsKeepTheirCodeAndWordsWithTheirHttpStatus() throws Exception {
        refusal(post("/api/v1/Retrieval/Search", "{\"collection\": \"nope\", \"topK\": -3, \"query\": {\"content\": {\"text\": \"x\"}}}"), 400,
                "INVALID_ARGUMENT", "top_k: must be in 1..1000, got -3");
        refusal(post("/api/v1/Retrieval/DescribeCollection", "{\"name\": \"nope\"}"), 404, "NOT_FOUND", "collection: no collection named nope");
        refusal(post("/api/v1/Retrieval/Upsert", "{}"), 404, "NOT_FOUND", "no unary RPC Retrieval/Upsert");
        refusal(post("/api/v1/Embedder/Embed", "{}"), 404, "NOT_FOUND", "no unary RPC Embedder/Embed");
        HttpResponse<String> bad = post("/api/v1/Retrieval/Search", "{not json");
        assertEquals(400, bad.statusCode());
        assertTrue(Json.MAPPER.readTree(bad.body()).path("message").asText().startsWith("body: "), bad.body());
        refusal(get("/api/v1/image?path=../../etc/passwd"), 400, "INVALID_ARGUMENT", "path: '../../etc/passwd' escapes the store");
        refusal(get("/api/v1/image?path=collections/nope.png"), 404, "NOT_FOUND", "path: no image collections/nope.png in the store");
        refusal(get("/api/v1/jobs/..%2Fsecret/curve"), 400, "INVALID_ARGUMENT", "job_id: '../secret' is not a job id");
        refusal(get("/api/v1/dataset/queries?dataset=../../etc"), 400, "INVALID_ARGUMENT", "dataset: '../../etc' escapes the store");
    }

    @Test
    void thePageIsServedAndItsShortAddressLeadsToIt() throws Exception {
        HttpResponse<String> page = get("/console/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>umarvel console</title>"));
        HttpResponse<String> shortcut = get("/console");
        assertEquals(302, shortcut.statusCode());
        assertEquals("/console/", shortcut.headers().firstValue("location").orElse(""));
    }
}
