package dev.umarvel.reranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.GetModelInfoRequest;
import dev.umarvel.api.v1.Image;
import dev.umarvel.api.v1.LoadModelRequest;
import dev.umarvel.api.v1.LoadModelResponse;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RerankRequest;
import dev.umarvel.api.v1.RerankResponse;
import dev.umarvel.api.v1.RerankerGrpc;
import dev.umarvel.api.v1.Truncation;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.model.RerankPair;
import dev.umarvel.model.image.ImageDecoder;
import dev.umarvel.serving.ServingFixtures;
import dev.umarvel.serving.TinyCheckpoints;
import static dev.umarvel.serving.ServingFixtures.INSTRUCTION;
import static dev.umarvel.serving.ServingFixtures.TEXTS;
import static dev.umarvel.serving.ServingFixtures.failure;
import static dev.umarvel.serving.ServingFixtures.noise;
import static dev.umarvel.serving.ServingFixtures.refusal;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The Reranker contract through real gRPC stubs against the running service (tests run in order on one app). */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RerankerServiceTest {

    static final Path STORE = Path.of("target/test-store").toAbsolutePath();

    @jakarta.inject.Inject
    RerankerEngine engine;

    @GrpcClient("reranker")
    RerankerGrpc.RerankerBlockingStub reranker;

    static Path checkpoint(String name, String kind, long seed) throws Exception {
        Path dir = STORE.resolve(name);
        if (!Files.exists(dir.resolve("manifest.json"))) {
            TinyCheckpoints.write(dir, kind, seed, 96);
        }
        return dir;
    }

    /** 50 candidates, every third with an image. */
    static RerankRequest request(String queryText, int candidates) throws Exception {
        RerankRequest.Builder r = RerankRequest.newBuilder().setQuery(Query.newBuilder().setInstruction(INSTRUCTION)
                .setContent(Content.newBuilder().setText(queryText)));
        for (int i = 0; i < candidates; i++) {
            Content.Builder c = Content.newBuilder().setText(TEXTS.get(i % TEXTS.size()));
            if (i % 3 == 0) {
                c.setImage(Image.newBuilder().setData(ByteString.copyFrom(noise(20, i))));
            }
            r.addCandidates(c);
        }
        return r.build();
    }

    /** P(Yes) computed in process by the model module for the same pairs. */
    static float[] inProcess(Path ckpt, String queryText, int candidates) throws Exception {
        ImageDecoder decoder = new ImageDecoder(16);
        Item query = Item.query(INSTRUCTION, queryText, null);
        List<RerankPair> pairs = new ArrayList<>();
        for (int i = 0; i < candidates; i++) {
            pairs.add(new RerankPair(query, Item.candidate(TEXTS.get(i % TEXTS.size()), i % 3 == 0 ? decoder.decode(noise(20, i), null) : null)));
        }
        try (Inference inference = Inference.load(ckpt)) {
            return inference.score(pairs, true).probabilityYes();
        }
    }

    static void assertScores(float[] expected, RerankResponse r) {
        assertEquals(expected.length, r.getScoresCount());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], r.getScores(i).getPYes(), 1e-5f, "candidate " + i);
        }
    }

    @Test
    @Order(1)
    void notReadyUntilAModelIsLoaded() throws Exception {
        RerankRequest r = request("a red circle", 2);
        assertEquals(Status.Code.FAILED_PRECONDITION, failure(() -> reranker.rerank(r)).getStatus().getCode());
        assertEquals(Status.Code.FAILED_PRECONDITION,
                failure(() -> reranker.getModelInfo(GetModelInfoRequest.getDefaultInstance())).getStatus().getCode());
    }

    @Test
    @Order(2)
    void servesTheModuleScoresForFiftyCandidates() throws Exception {
        checkpoint("ckpt-embedder", "embedder", 4);
        assertEquals(Status.Code.FAILED_PRECONDITION, failure(() -> reranker.loadModel(LoadModelRequest.newBuilder()
                .setCheckpointPath("ckpt-embedder").build())).getStatus().getCode());
        Path a = checkpoint("rr-a", "reranker", 1);
        LoadModelResponse loaded = reranker.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("rr-a").build());
        RerankResponse r = reranker.rerank(request(TEXTS.get(1), 50));
        assertEquals(loaded.getCurrent().getVersion(), r.getModelVersion());
        assertScores(inProcess(a, TEXTS.get(1), 50), r);
        for (int i = 0; i < 50; i++) {
            float yes = r.getScores(i).getLogitYes();
            float no = r.getScores(i).getLogitNo();
            assertEquals(1 / (1 + Math.exp(no - yes)), r.getScores(i).getPYes(), 1e-5, "P(Yes) is the softmax of the two logits");
        }
    }

    @Test
    @Order(3)
    void concurrentClientsGetTheirOwnScores() throws Exception {
        Path a = checkpoint("rr-a", "reranker", 1);
        List<float[]> expected = new ArrayList<>();
        for (String t : TEXTS) {
            expected.add(inProcess(a, t, 12));
        }
        ServingFixtures.Clients clients = ServingFixtures.start(8, client -> {
            for (int n = 0; n < 5; n++) {
                int q = (client + n) % TEXTS.size();
                assertScores(expected.get(q), reranker.rerank(request(TEXTS.get(q), 12)));
            }
        });
        clients.await();
    }

    @Test
    @Order(4)
    void everyBadInputGetsItsStatusAndField() throws Exception {
        RerankRequest good = request("a red circle", 3);
        byte[] anImage = noise(20, 3);
        RerankRequest tooMany = request("a", 61);
        assertEquals("query: missing", refusal(() -> reranker.rerank(good.toBuilder().clearQuery().build())));
        assertEquals("query.content: empty content: set text or image", refusal(() -> reranker.rerank(good.toBuilder()
                .setQuery(Query.newBuilder().setInstruction("only this")).build())));
        assertEquals("candidates: no items", refusal(() -> reranker.rerank(good.toBuilder().clearCandidates().build())));
        assertEquals("candidates: 61 items, over the limit of 60 per call", refusal(() -> reranker.rerank(tooMany)));
        assertEquals("candidates[1]: empty content: set text or image", refusal(() -> reranker.rerank(good.toBuilder()
                .setCandidates(1, Content.getDefaultInstance()).build())));
        assertEquals("candidates[2].image.mime_type: unsupported MIME type 'text/plain': expected image/png or image/jpeg",
                refusal(() -> reranker.rerank(good.toBuilder().setCandidates(2, Content.newBuilder().setImage(Image.newBuilder()
                        .setData(ByteString.copyFrom(anImage)).setMimeType("text/plain"))).build())));
        assertEquals("candidates[0].image.data: not a PNG or JPEG image", refusal(() -> reranker.rerank(good.toBuilder()
                .setCandidates(0, Content.newBuilder().setImage(Image.newBuilder().setData(ByteString.copyFromUtf8("junk")))).build())));
        assertEquals("candidates[0].image.store_path: '../../../etc/shadow' escapes the store", refusal(() -> reranker.rerank(
                good.toBuilder().setCandidates(0, Content.newBuilder().setImage(Image.newBuilder().setStorePath("../../../etc/shadow")))
                        .build())));
        assertEquals("truncation: unknown value 5", refusal(() -> reranker.rerank(good.toBuilder().setTruncationValue(5).build())));
        String longText = String.join(" ", java.util.Collections.nCopies(120, "star"));
        String tooLong = refusal(() -> reranker.rerank(good.toBuilder().setCandidates(1, Content.newBuilder().setText(longText))
                .setTruncation(Truncation.TRUNCATION_REJECT).build()));
        assertTrue(tooLong.startsWith("candidates[1].text: needs "), tooLong);
        assertTrue(reranker.rerank(good.toBuilder().setCandidates(1, Content.newBuilder().setText(longText)).build())
                .getScores(1).getTruncated());
    }

    @Test
    @Order(5)
    void aFullQueueAnswersResourceExhaustedAndRecovers() throws Exception {
        RerankRequest big = request("a big blue star", 50);
        AtomicInteger exhausted = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        java.util.concurrent.CountDownLatch refused = new java.util.concurrent.CountDownLatch(1);
        ServingFixtures.Clients clients;
        try (AutoCloseable paused = engine.get().server().pause()) { // the model held busy: 128 pairs of queue cannot take 24 x 50
            clients = ServingFixtures.start(24, client -> {
                try {
                    reranker.rerank(big);
                    answered.incrementAndGet();
                } catch (StatusRuntimeException e) {
                    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
                    assertTrue(e.getStatus().getDescription().contains("over the queue capacity of 128"), e.getStatus().getDescription());
                    exhausted.incrementAndGet();
                    refused.countDown();
                }
            });
            assertTrue(refused.await(2, java.util.concurrent.TimeUnit.MINUTES), "no request was refused");
        }
        clients.await();
        assertTrue(answered.get() > 0, exhausted + " refused, " + answered + " answered");
        assertEquals(24, answered.get() + exhausted.get());
        assertEquals(3, reranker.rerank(request("blue circle", 3)).getScoresCount());
    }

    @Test
    @Order(6)
    void aHotSwapUnderLoadLosesNoRequest() throws Exception {
        Path a = checkpoint("rr-a", "reranker", 1);
        Path b = checkpoint("rr-b", "reranker", 2);
        float[] fromA = inProcess(a, TEXTS.get(2), 6);
        float[] fromB = inProcess(b, TEXTS.get(2), 6);
        String versionA = reranker.getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel().getVersion();
        RerankRequest r = request(TEXTS.get(2), 6);
        AtomicBoolean swapped = new AtomicBoolean();
        AtomicInteger lateOld = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        ConcurrentHashMap<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        java.util.concurrent.CountDownLatch underLoad = new java.util.concurrent.CountDownLatch(12);
        // each client asks until it has had 5 answers to requests sent after LoadModel returned
        ServingFixtures.Clients clients = ServingFixtures.start(6, client -> {
            for (int afterSwap = 0; afterSwap < 5;) {
                boolean after = swapped.get();
                sent.incrementAndGet();
                RerankResponse answer = reranker.rerank(r);
                boolean isA = answer.getModelVersion().equals(versionA);
                assertScores(isA ? fromA : fromB, answer);
                seen.computeIfAbsent(answer.getModelVersion(), v -> new AtomicInteger()).incrementAndGet();
                underLoad.countDown();
                if (after) {
                    afterSwap++;
                    lateOld.addAndGet(isA ? 1 : 0);
                }
            }
        });
        assertTrue(underLoad.await(2, java.util.concurrent.TimeUnit.MINUTES), "clients did not get going");
        LoadModelResponse swap = reranker.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("rr-b").build());
        swapped.set(true);
        clients.await();
        assertEquals(Set.of(versionA, swap.getCurrent().getVersion()), seen.keySet());
        assertEquals(0, lateOld.get());
        assertEquals(sent.get(), seen.values().stream().mapToInt(AtomicInteger::get).sum());
    }
}
