package dev.umarvel.embedder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.EmbedRequest;
import dev.umarvel.api.v1.EmbedResponse;
import dev.umarvel.api.v1.EmbedStreamRequest;
import dev.umarvel.api.v1.EmbedStreamResponse;
import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.GetModelInfoRequest;
import dev.umarvel.api.v1.Image;
import dev.umarvel.api.v1.LoadModelRequest;
import dev.umarvel.api.v1.LoadModelResponse;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.Truncation;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.model.image.ImageDecoder;
import dev.umarvel.serving.ServingFixtures;
import dev.umarvel.serving.TinyCheckpoints;
import static dev.umarvel.serving.ServingFixtures.INSTRUCTION;
import static dev.umarvel.serving.ServingFixtures.TEXTS;
import static dev.umarvel.serving.ServingFixtures.blank;
import static dev.umarvel.serving.ServingFixtures.failure;
import static dev.umarvel.serving.ServingFixtures.noise;
import static dev.umarvel.serving.ServingFixtures.refusal;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The Embedder contract through real gRPC stubs against the running service (one app for the class: tests run in order). */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbedderServiceTest {

    static final Path STORE = Path.of("target/test-store").toAbsolutePath();

    @GrpcClient("embedder")
    EmbedderGrpc.EmbedderBlockingStub embedder;

    @GrpcClient("embedder")
    HealthGrpc.HealthBlockingStub grpcHealth;

    @GrpcClient("embedder")
    io.grpc.Channel channel;

    @jakarta.inject.Inject
    EmbedderEngine engine;

    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:8081" + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HealthOuterClass.HealthCheckResponse.ServingStatus grpcStatus() {
        return grpcHealth.check(HealthOuterClass.HealthCheckRequest.newBuilder().setService(EmbedderGrpc.SERVICE_NAME).build())
                .getStatus();
    }

    static Path checkpoint(String name, long seed) throws Exception {
        Path dir = STORE.resolve(name);
        if (!Files.exists(dir.resolve("manifest.json"))) {
            TinyCheckpoints.write(dir, "embedder", seed, 40);
        }
        return dir;
    }

    static EmbedItem query(String text) {
        return EmbedItem.newBuilder().setQuery(Query.newBuilder().setInstruction(INSTRUCTION)
                .setContent(Content.newBuilder().setText(text))).build();
    }

    static EmbedItem imageCandidate(byte[] png, String text) {
        return EmbedItem.newBuilder().setCandidate(Content.newBuilder().setText(text)
                .setImage(Image.newBuilder().setData(ByteString.copyFrom(png)).setMimeType("image/png"))).build();
    }

    /** What the model module computes in process for the same items. */
    static Status.Code code(Runnable call) {
        return failure(call).getStatus().getCode();
    }

    static float[][] inProcess(Path ckpt, List<Item> items) throws Exception {
        try (Inference inference = Inference.load(ckpt)) {
            return inference.embed(items, true).vectors();
        }
    }

    static float[] values(EmbedResponse r, int i) {
        List<Float> v = r.getEmbeddings(i).getValuesList();
        float[] out = new float[v.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = v.get(k);
        }
        return out;
    }

    @Test
    @Order(1)
    void notReadyUntilAModelIsLoaded() throws Exception {
        assertEquals(503, get("/q/health/ready").statusCode());
        assertEquals(200, get("/q/health/live").statusCode());
        assertEquals(HealthOuterClass.HealthCheckResponse.ServingStatus.NOT_SERVING, grpcStatus());
        assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> embedder.getModelInfo(GetModelInfoRequest.getDefaultInstance())));
        assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> embedder.embed(EmbedRequest.newBuilder().addItems(query("a")).build())));
    }

    @Test
    @Order(2)
    void loadModelChecksItsPathThenServesTheModuleResultsExactly() throws Exception {
        Path a = checkpoint("ckpt-a", 1);
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> embedder.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("../x").build())));
        assertEquals(Status.Code.NOT_FOUND, code(() -> embedder.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("nothing").build())));
        Path outside = STORE.toAbsolutePath().getParent().resolve("outside-the-embedder-store");
        if (!Files.exists(outside.resolve("manifest.json"))) {
            TinyCheckpoints.write(outside, "embedder", 2, 40); // a checkpoint the service could load, were the link not refused
        }
        Files.deleteIfExists(STORE.resolve("ckpt-linked"));
        Files.createSymbolicLink(STORE.resolve("ckpt-linked"), outside.toAbsolutePath());
        assertEquals("checkpoint_path: 'ckpt-linked' leads out of the store through a link", failure(() -> embedder.loadModel(
                LoadModelRequest.newBuilder().setCheckpointPath("ckpt-linked").build())).getStatus().getDescription());
        Path reranker = STORE.resolve("ckpt-reranker");
        if (!Files.exists(reranker.resolve("manifest.json"))) {
            TinyCheckpoints.write(reranker, "reranker", 3, 40);
        }
        assertEquals(Status.Code.FAILED_PRECONDITION,
                code(() -> embedder.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("ckpt-reranker").build())));

        LoadModelResponse loaded = embedder.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("ckpt-a").build());
        assertFalse(loaded.hasPrevious());
        assertEquals(200, get("/q/health/ready").statusCode());
        assertEquals(HealthOuterClass.HealthCheckResponse.ServingStatus.SERVING, grpcStatus());
        String version = loaded.getCurrent().getVersion();
        assertEquals(version, embedder.getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel().getVersion());

        byte[] png = noise(24, 7);
        EmbedResponse r = embedder.embed(EmbedRequest.newBuilder().addItems(query(TEXTS.get(0))).addItems(imageCandidate(png, "a star"))
                .build());
        assertEquals(version, r.getModelVersion());
        float[] pixels = new ImageDecoder(16).decode(png, "image/png");
        float[][] expected = inProcess(a, List.of(Item.query(INSTRUCTION, TEXTS.get(0), null),
                Item.candidate("a star", pixels)));
        assertArrayEquals(expected[0], values(r, 0), 1e-5f);
        assertArrayEquals(expected[1], values(r, 1), 1e-5f);
        assertEquals(Set.of("queue", "compute", "total"), Set.copyOf(r.getTimingsList().stream().map(t -> t.getStage()).toList()));
    }

    @Test
    @Order(3)
    void manyConcurrentClientsEachGetTheirOwnAnswersInOrder() throws Exception {
        float[][] expected = inProcess(checkpoint("ckpt-a", 1), TEXTS.stream()
                .map(t -> Item.query(INSTRUCTION, t, null)).toList());
        ServingFixtures.Clients clients = ServingFixtures.start(16, client -> {
            for (int n = 0; n < 10; n++) {
                // each client asks for a different rotation of the texts
                EmbedRequest.Builder req = EmbedRequest.newBuilder();
                for (int k = 0; k < 3; k++) {
                    req.addItems(query(TEXTS.get((client + n + k) % TEXTS.size())));
                }
                EmbedResponse r = embedder.embed(req.build());
                for (int k = 0; k < 3; k++) {
                    assertArrayEquals(expected[(client + n + k) % TEXTS.size()], values(r, k), 1e-5f);
                }
            }
        });
        clients.await();
    }

    @Test
    @Order(4)
    void everyBadInputGetsItsStatusAndField() throws Exception {
        byte[] anImage = noise(24, 1);
        EmbedRequest.Builder tooMany = EmbedRequest.newBuilder();
        for (int i = 0; i < 17; i++) {
            tooMany.addItems(query("a red circle"));
        }
        assertEquals("items: 17 items, over the limit of 16 per call", refusal(() -> embedder.embed(tooMany.build())));
        assertEquals("items: no items", refusal(() -> embedder.embed(EmbedRequest.getDefaultInstance())));
        assertEquals("items[1]: empty item: set query or candidate", refusal(() -> embedder.embed(EmbedRequest.newBuilder()
                .addItems(query("a")).addItems(EmbedItem.getDefaultInstance()).build())));
        assertEquals("items[0].query.content: empty content: set text or image", refusal(() -> embedder.embed(EmbedRequest.newBuilder()
                .addItems(EmbedItem.newBuilder().setQuery(Query.newBuilder().setInstruction("find"))).build())));
        assertEquals("items[0].candidate.image.data: not a PNG or JPEG image", refusal(() -> embedder.embed(EmbedRequest.newBuilder()
                .addItems(EmbedItem.newBuilder().setCandidate(Content.newBuilder().setImage(Image.newBuilder()
                        .setData(ByteString.copyFromUtf8("hello, not an image"))))).build())));
        assertEquals("items[0].candidate.image.mime_type: unsupported MIME type 'image/webp': expected image/png or image/jpeg",
                refusal(() -> embedder.embed(EmbedRequest.newBuilder().addItems(EmbedItem.newBuilder().setCandidate(Content.newBuilder()
                        .setImage(Image.newBuilder().setData(ByteString.copyFrom(anImage)).setMimeType("image/webp")))).build())));
        assertEquals("items[0].candidate.image.store_path: '../../etc/passwd' escapes the store", refusal(() -> embedder.embed(
                EmbedRequest.newBuilder().addItems(EmbedItem.newBuilder().setCandidate(Content.newBuilder().setImage(Image.newBuilder()
                        .setStorePath("../../etc/passwd")))).build())));
        assertEquals(Status.Code.NOT_FOUND, code(() -> embedder.embed(EmbedRequest.newBuilder().addItems(EmbedItem.newBuilder()
                .setCandidate(Content.newBuilder().setImage(Image.newBuilder().setStorePath("missing.png")))).build())));
        byte[] noisy = noise(200, 200); // ~120 kB of incompressible pixels
        assertEquals("items[0].candidate.image.data: " + noisy.length + " bytes exceed the limit of 100000", refusal(() -> embedder.embed(
                EmbedRequest.newBuilder().addItems(imageCandidate(noisy, "")).build())));
        byte[] huge = blank(600, 600);
        assertEquals("items[0].candidate.image.data: 600x600 pixels exceed the limit of 250000", refusal(() -> embedder.embed(
                EmbedRequest.newBuilder().addItems(imageCandidate(huge, "")).build())));
        assertEquals("truncation: unknown value 7", refusal(() -> embedder.embed(EmbedRequest.newBuilder().addItems(query("a"))
                .setTruncationValue(7).build())));

        String longText = String.join(" ", java.util.Collections.nCopies(60, "red"));
        String tooLong = refusal(() -> embedder.embed(EmbedRequest.newBuilder().addItems(query("a")).addItems(query(longText))
                .setTruncation(Truncation.TRUNCATION_REJECT).build()));
        assertTrue(tooLong.startsWith("items[1].query.content.text: needs "), tooLong);
        EmbedResponse cut = embedder.embed(EmbedRequest.newBuilder().addItems(query(longText)).build());
        assertTrue(cut.getEmbeddings(0).getTruncated());
        assertEquals(40, cut.getEmbeddings(0).getTokens());
    }

    @Test
    @Order(5)
    void aFullQueueAnswersResourceExhaustedAndRecovers() throws Exception {
        // the model held busy: 64 items of queue cannot take 40 requests of 16 items
        AtomicInteger exhausted = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        java.util.concurrent.CountDownLatch refused = new java.util.concurrent.CountDownLatch(1);
        ServingFixtures.Clients clients;
        try (AutoCloseable paused = engine.get().server().pause()) {
            clients = ServingFixtures.start(40, client -> {
                EmbedRequest.Builder req = EmbedRequest.newBuilder();
                for (int k = 0; k < 16; k++) {
                    req.addItems(query(TEXTS.get(k % TEXTS.size())));
                }
                try {
                    embedder.embed(req.build());
                    answered.incrementAndGet();
                } catch (StatusRuntimeException e) {
                    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
                    assertTrue(e.getStatus().getDescription().contains("over the queue capacity of 64"), e.getStatus().getDescription());
                    exhausted.incrementAndGet();
                    refused.countDown();
                }
            });
            assertTrue(refused.await(2, TimeUnit.MINUTES), "no request was refused");
        }
        clients.await();
        assertTrue(answered.get() > 0, "no request was answered");
        assertEquals(40, answered.get() + exhausted.get());
        assertEquals(1, embedder.embed(EmbedRequest.newBuilder().addItems(query("blue circle")).build()).getEmbeddingsCount());
    }

    @Test
    @Order(6)
    void aHotSwapUnderLoadLosesNothingAndChangesAnswersExactlyAtTheSwap() throws Exception {
        Path a = checkpoint("ckpt-a", 1);
        Path b = checkpoint("ckpt-b", 2);
        List<Item> item = List.of(Item.query(INSTRUCTION, TEXTS.get(1), null));
        float[] fromA = inProcess(a, item)[0];
        float[] fromB = inProcess(b, item)[0];
        String versionA = embedder.getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel().getVersion();
        AtomicBoolean swapped = new AtomicBoolean();
        ConcurrentHashMap<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        AtomicInteger afterSwapFromA = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        java.util.concurrent.CountDownLatch underLoad = new java.util.concurrent.CountDownLatch(16);
        // each client asks until it has had 5 answers to requests sent after LoadModel returned
        ServingFixtures.Clients clients = ServingFixtures.start(8, client -> {
            for (int afterSwap = 0; afterSwap < 5;) {
                boolean swapDone = swapped.get();
                sent.incrementAndGet();
                EmbedResponse r = embedder.embed(EmbedRequest.newBuilder().addItems(query(TEXTS.get(1))).build());
                boolean isA = r.getModelVersion().equals(versionA);
                assertArrayEquals(isA ? fromA : fromB, values(r, 0), 1e-5f, "answer of " + r.getModelVersion());
                seen.computeIfAbsent(r.getModelVersion(), v -> new AtomicInteger()).incrementAndGet();
                underLoad.countDown();
                if (swapDone) {
                    afterSwap++;
                    afterSwapFromA.addAndGet(isA ? 1 : 0);
                }
            }
        });
        assertTrue(underLoad.await(2, TimeUnit.MINUTES), "clients did not get going");
        LoadModelResponse swap = embedder.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("ckpt-b").build());
        swapped.set(true);
        assertEquals(versionA, swap.getPrevious().getVersion());
        clients.await();
        assertEquals(Set.of(versionA, swap.getCurrent().getVersion()), seen.keySet(), "both models answered");
        assertEquals(0, afterSwapFromA.get(), "a request sent after LoadModel returned was answered by the old model");
        assertEquals(sent.get(), seen.values().stream().mapToInt(AtomicInteger::get).sum(), "every request answered once");
    }

    @Test
    @Order(7)
    void metricsTellRequestsQueueBatchesAndTheModelInService() throws Exception {
        String version = embedder.getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel().getVersion();
        String metrics = get("/q/metrics").body();
        for (String expected : List.of("umarvel_requests_seconds_count{rpc=\"Embed\",service=\"embedder\",status=\"OK\"}",
                "umarvel_requests_seconds_count{rpc=\"Embed\",service=\"embedder\",status=\"INVALID_ARGUMENT\"}",
                "umarvel_requests_seconds_count{rpc=\"Embed\",service=\"embedder\",status=\"RESOURCE_EXHAUSTED\"}",
                "umarvel_queue_depth{service=\"embedder\"}", "umarvel_batch_items_bucket{service=\"embedder\",le=\"64.0\"}",
                "umarvel_batch_tokens_count{service=\"embedder\"}", "umarvel_queue_wait_seconds_count{service=\"embedder\"}",
                "umarvel_batch_compute_seconds_count{service=\"embedder\"}", "umarvel_queue_rejected_total{service=\"embedder\"}",
                "umarvel_model_loaded{service=\"embedder\",version=\"" + version + "\"} 1.0")) {
            assertTrue(metrics.contains(expected), expected + " missing from /q/metrics");
        }
        assertFalse(metrics.contains("umarvel_model_loaded{service=\"embedder\",version=\"" + checkpointVersion("ckpt-a") + "\"}"),
                "the swapped-out version still exported");
    }

    @Test
    @Order(8)
    void aStreamAnswersEachBatchByIdAndRefusesAReusedId() throws Exception {
        float[][] expected = inProcess(checkpoint("ckpt-b", 2), TEXTS.stream()
                .map(t -> Item.query(INSTRUCTION, t, null)).toList());
        java.util.concurrent.LinkedBlockingQueue<Object> events = new java.util.concurrent.LinkedBlockingQueue<>();
        io.grpc.stub.StreamObserver<EmbedStreamRequest> requests = EmbedderGrpc.newStub(channel).embedStream(new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(EmbedStreamResponse r) {
                events.add(r);
            }

            @Override
            public void onError(Throwable t) {
                events.add(t);
            }

            @Override
            public void onCompleted() {
                events.add("completed");
            }
        });
        for (int id = 0; id < 4; id++) {
            requests.onNext(EmbedStreamRequest.newBuilder().setRequestId(100 + id).setBatch(EmbedRequest.newBuilder()
                    .addItems(query(TEXTS.get(id)))).build());
        }
        requests.onNext(EmbedStreamRequest.newBuilder().setRequestId(200).setBatch(EmbedRequest.getDefaultInstance()).build());
        requests.onCompleted();
        Set<Long> answered = new java.util.HashSet<>();
        while (true) {
            Object e = events.poll(60, TimeUnit.SECONDS);
            if ("completed".equals(e)) {
                break;
            }
            EmbedStreamResponse r = (EmbedStreamResponse) e;
            answered.add(r.getRequestId());
            if (r.getRequestId() == 200) {
                assertEquals(Status.Code.INVALID_ARGUMENT.value(), r.getError().getCode(), "an error answers its batch, not the stream");
                assertEquals("items: no items", r.getError().getMessage());
            } else {
                assertArrayEquals(expected[(int) r.getRequestId() - 100], values(r.getResult(), 0), 1e-5f);
            }
        }
        assertEquals(Set.of(100L, 101L, 102L, 103L, 200L), answered, "every batch answered before the stream closed");
    }

    @Test
    @Order(9)
    void aRetainedModelAnswersRequestsNamingItsVersionUntilTheNextLoad() throws Exception {
        Path a = checkpoint("ckpt-a", 1);
        Path b = checkpoint("ckpt-b", 2);
        embedder.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("ckpt-b").build());
        List<Item> item = List.of(Item.query(INSTRUCTION, TEXTS.get(2), null));
        float[] fromA = inProcess(a, item)[0];
        float[] fromB = inProcess(b, item)[0];
        String versionA = checkpointVersion("ckpt-a");
        String versionB = checkpointVersion("ckpt-b");
        LoadModelResponse swap = embedder.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("ckpt-a").setRetainPrevious(true).build());
        assertEquals(versionB, swap.getPrevious().getVersion());
        // both versions at once from concurrent clients: batches never mix them
        ServingFixtures.Clients clients = ServingFixtures.start(6, client -> {
            for (int n = 0; n < 20; n++) {
                String version = (client + n) % 3 == 0 ? "" : (client + n) % 3 == 1 ? versionA : versionB;
                EmbedResponse r = embedder.embed(EmbedRequest.newBuilder().addItems(query(TEXTS.get(2))).setModelVersion(version).build());
                assertEquals(version.isEmpty() ? versionA : version, r.getModelVersion());
                assertArrayEquals(r.getModelVersion().equals(versionA) ? fromA : fromB, values(r, 0), 1e-5f, "answer of " + version);
            }
        });
        clients.await();
        // the next load releases the retained model; the one it replaces is not retained either
        checkpoint("ckpt-c", 3);
        embedder.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("ckpt-c").build());
        for (String gone : List.of(versionA, versionB)) {
            StatusRuntimeException e = failure(() -> embedder.embed(EmbedRequest.newBuilder().addItems(query("x")).setModelVersion(gone).build()));
            assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().startsWith("model_version: '" + gone + "' is neither in service"),
                    e.getStatus().getDescription());
        }
    }

    static String checkpointVersion(String name) throws Exception {
        return dev.umarvel.model.io.Checkpoint.verify(STORE.resolve(name)).version();
    }
}
