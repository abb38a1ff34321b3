package dev.umarvel.orchestrator;

import static dev.umarvel.orchestrator.CollectionsTest.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DegradePolicy;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.Fusion;
import dev.umarvel.api.v1.FusionRule;
import dev.umarvel.api.v1.Hit;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchFilter;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.api.v1.SearchResponse;
import dev.umarvel.api.v1.StageTiming;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Search in every mode through real stubs: rankings equal what the fakes imply, degrading and failing as the policy says. */
@QuarkusTest
@QuarkusTestResource(FakeModels.class)
class SearchTest {

    @GrpcClient("retrieval")
    RetrievalGrpc.RetrievalBlockingStub retrieval;

    @GrpcClient("retrieval")
    io.grpc.Channel channel;

    static final List<Candidate> ALL = Fixtures.catalogue();
    static boolean loaded;

    @BeforeEach
    void collection() throws Exception {
        FakeModels.rerankerDown = false;
        FakeModels.rerankerDelayMillis = 0;
        if (!loaded) {
            retrieval.dropCollection(DropCollectionRequest.newBuilder().setName("zoo").setIfExists(true).build());
            retrieval.createCollection(CreateCollectionRequest.newBuilder().setName("zoo").build());
            Fixtures.upsert(RetrievalGrpc.newStub(channel), Fixtures.chunks("zoo", ALL, 32));
            loaded = true;
        }
    }

    static SearchRequest.Builder query(String text) {
        return SearchRequest.newBuilder().setCollection("zoo").setQuery(Query.newBuilder().setInstruction("Find the thing.")
                .setContent(Content.newBuilder().setText(text)));
    }

    static List<String> dids(SearchResponse r) {
        return r.getHitsList().stream().map(Hit::getDid).toList();
    }

    static List<String> stages(SearchResponse r) {
        return r.getTimingsList().stream().map(StageTiming::getStage).toList();
    }

    /** The cascade's ranking from first principles: the exact recall top k, re-sorted by cos + w * P(Yes). */
    static List<String> cascadeRanking(Content q, int recallK, int topK, double w) {
        float[] qv = FakeModels.vector(q);
        List<String> recalled = Fixtures.exactRanking(q, ALL, recallK);
        return ALL.stream().filter(c -> recalled.contains(c.getDid()))
                .sorted(Comparator.comparingDouble((Candidate c) -> -(Fixtures.dot(qv, FakeModels.vector(c.getContent()))
                        + w * FakeModels.pYes(q, c.getContent()))))
                .limit(topK).map(Candidate::getDid).toList();
    }

    @Test
    void singleIsTheExactNearestNeighbours() {
        SearchResponse r = retrieval.search(query("a striped dog").setTopK(7).setMode(SearchMode.SEARCH_MODE_SINGLE).build());
        assertEquals(Fixtures.exactRanking(Content.newBuilder().setText("a striped dog").build(), ALL, 7), dids(r));
        assertEquals(SearchMode.SEARCH_MODE_SINGLE, r.getModeRun());
        assertEquals(List.of("embed", "recall", "total"), stages(r));
        assertEquals("fake-v1", r.getModelVersion());
        assertEquals(1, r.getIndexVersion());
        assertTrue(r.getHits(0).getRecallScore() >= r.getHits(1).getRecallScore());
        assertFalse(r.getHits(0).hasRerankScore());
        assertFalse(r.getHits(0).hasCandidate(), "content only when asked for");
        Hit withContent = retrieval.search(query("a striped dog").setTopK(1).setIncludeContent(true).build()).getHits(0);
        Candidate stored = ALL.stream().filter(c -> c.getDid().equals(withContent.getDid())).findFirst().orElseThrow();
        assertEquals(stored.getContent(), withContent.getCandidate().getContent());
        assertEquals(stored.getMetadataMap(), withContent.getCandidate().getMetadataMap());
    }

    @Test
    void filtersRestrictByPoolDatasetAndModality() {
        SearchResponse r = retrieval.search(query("red cat").setTopK(50).setFilter(SearchFilter.newBuilder().addPools("odd")
                .addDatasetIds(1)).build());
        List<Candidate> matching = ALL.stream().filter(c -> c.getPools(0).equals("odd") && c.getDatasetId() == 1).toList();
        assertEquals(Fixtures.exactRanking(Content.newBuilder().setText("red cat").build(), matching, 50), dids(r));
        assertEquals(0, retrieval.search(query("red cat").setFilter(SearchFilter.newBuilder()
                .addModalities(dev.umarvel.api.v1.Modality.MODALITY_IMAGE)).build()).getHitsCount());
    }

    @Test
    void cascadeFusesRecallAndRerankScores() {
        Content q = Content.newBuilder().setText("the young boat number 44").build();
        SearchResponse r = retrieval.search(query(q.getText()).setTopK(5).setRecallK(20).setMode(SearchMode.SEARCH_MODE_CASCADE).build());
        assertEquals(cascadeRanking(q, 20, 5, 0.1), dids(r));
        assertEquals(SearchMode.SEARCH_MODE_CASCADE, r.getModeRun());
        assertEquals(List.of("embed", "recall", "rerank", "fuse", "total"), stages(r));
        Hit top = r.getHits(0);
        assertEquals(top.getRecallScore() + 0.1 * top.getRerankScore(), top.getScore(), 1e-5);
        SearchResponse heavy = retrieval.search(query(q.getText()).setTopK(5).setRecallK(20).setMode(SearchMode.SEARCH_MODE_CASCADE)
                .setFusion(Fusion.newBuilder().setRule(FusionRule.FUSION_RULE_CONVEX).setWeight(0.2)).build());
        assertEquals(0.2 * heavy.getHits(0).getRecallScore() + 0.8 * heavy.getHits(0).getRerankScore(), heavy.getHits(0).getScore(), 1e-5);
        assertEquals(cascadeRanking(q, 20, 5, 4.0), dids(heavy), "alpha 0.2 ranks as w = 0.8 / 0.2");
    }

    @Test
    void aTaskTakesItsOwnFusionWeightFromTheServer() {
        // %test.umarvel.search.task-fusion-weights.names_task=4: that task's cascades rank as w = 4, other tasks' as the default 0.1
        Content q = Content.newBuilder().setText("the young boat number 44").build();
        SearchRequest.Builder cascade = query(q.getText()).setTopK(5).setRecallK(20).setMode(SearchMode.SEARCH_MODE_CASCADE);
        SearchResponse names = retrieval.search(cascade.clone().setTask("names_task").build());
        assertEquals(names.getHits(0).getRecallScore() + 4 * names.getHits(0).getRerankScore(), names.getHits(0).getScore(), 1e-5);
        assertEquals(cascadeRanking(q, 20, 5, 4.0), dids(names));
        SearchResponse other = retrieval.search(cascade.clone().setTask("colours_task").build());
        assertEquals(other.getHits(0).getRecallScore() + 0.1 * other.getHits(0).getRerankScore(), other.getHits(0).getScore(), 1e-5);
        assertEquals(cascadeRanking(q, 20, 5, 0.1), dids(other));
        assertNotEquals(dids(names), dids(other), "the two weights rank this query differently");
        SearchResponse own = retrieval.search(cascade.clone().setTask("names_task").setFusion(Fusion.newBuilder().setWeight(0.1)).build());
        assertEquals(dids(other), dids(own), "the request's own weight wins over its task's");
        SearchResponse convex = retrieval.search(cascade.clone().setTask("names_task")
                .setFusion(Fusion.newBuilder().setRule(FusionRule.FUSION_RULE_CONVEX)).build());
        assertEquals(0.2 * convex.getHits(0).getRecallScore() + 0.8 * convex.getHits(0).getRerankScore(), convex.getHits(0).getScore(),
                1e-5, "CONVEX's default alpha is 1 / (1 + the task's w)");
    }

    /** An infinite weight ranks by P(Yes) alone, ties in the retriever's order (the trainer's "reranker order"). */
    @Test
    void anInfiniteWeightRanksByTheRerankerAlone() {
        Content q = Content.newBuilder().setText("the young boat number 44").build();
        SearchResponse r = retrieval.search(query(q.getText()).setTopK(5).setRecallK(20).setMode(SearchMode.SEARCH_MODE_CASCADE)
                .setFusion(Fusion.newBuilder().setWeight(Double.POSITIVE_INFINITY)).build());
        List<String> recalled = new ArrayList<>(Fixtures.exactRanking(q, ALL, 20));
        Map<String, Content> content = ALL.stream().collect(Collectors.toMap(Candidate::getDid, Candidate::getContent));
        List<String> byReranker = new ArrayList<>(recalled);
        byReranker.sort(Comparator.comparingDouble((String did) -> -FakeModels.pYes(q, content.get(did)))); // stable: ties keep recall order
        assertEquals(byReranker.subList(0, 5), dids(r));
        assertNotEquals(recalled.subList(0, 5), dids(r), "the reranker reorders this query's head");
        for (Hit h : r.getHitsList()) {
            assertEquals(h.getRerankScore(), h.getScore(), 0f, "the score the hits are ranked by");
        }
    }

    /** The server's own weights meet the request's rule, checked at start-up and each named by its property. */
    @Test
    void theServersWeightsAreCheckedAsARequestsAre() {
        assertEquals(List.of(), Searcher.invalidWeights(0.1, Map.of("names_task", Double.POSITIVE_INFINITY, "colours_task", 0.0)));
        assertEquals(List.of("umarvel.search.fusion-weight: must be a number >= 0, got NaN",
                "umarvel.search.task-fusion-weights.a_task: must be a number >= 0, got -1.0",
                "umarvel.search.task-fusion-weights.b_task: must be a number >= 0, got NaN"),
                Searcher.invalidWeights(Double.NaN, Map.of("b_task", Double.NaN, "a_task", -1.0, "c_task", 2.0)));
    }

    @Test
    void aRecallKBelowTopKReranksTheHeadAndKeepsTheRetrieversOrderAfterIt() {
        Content q = Content.newBuilder().setText("the young boat number 44").build();
        int before = FakeModels.rerankedCandidates.get();
        SearchResponse r = retrieval.search(query(q.getText()).setTopK(20).setRecallK(5).setMode(SearchMode.SEARCH_MODE_CASCADE).build());
        assertEquals(5, FakeModels.rerankedCandidates.get() - before, "only the head goes to the reranker");
        List<String> exact = Fixtures.exactRanking(q, ALL, 20);
        List<String> expected = new ArrayList<>(cascadeRanking(q, 5, 5, 0.1));
        expected.addAll(exact.subList(5, 20));
        assertEquals(expected, dids(r));
        assertEquals(SearchMode.SEARCH_MODE_CASCADE, r.getModeRun());
        for (int i = 0; i < 20; i++) {
            Hit h = r.getHits(i);
            assertEquals(i < 5, h.hasRerankScore(), "hit " + (i + 1));
            assertEquals(i + 1, h.getRank());
            if (i >= 5) {
                assertEquals(i + 1, h.getRecallRank());
                assertEquals(h.getRecallScore(), h.getScore(), 0);
            }
        }
    }

    /**
     * At a margin between the queries' own, AUTO splits them: a query whose retriever's first two scores are closer than
     * the margin is reranked (the cascade's ranking), the others keep the retriever's; the split is computed here from the
     * fake vectors, half of the queries on each side.
     */
    @Test
    void autoAtAnIntermediateMarginReranksExactlyTheQueriesWhoseTopTwoAreClose() {
        List<String> texts = List.of("blue tree", "red cat", "a striped dog", "old house", "the young boat number 44",
                "green bird", "small fish", "yellow car", "tall tower", "black horse", "a quiet lake", "the red bus 7");
        java.util.Map<String, Double> margins = new java.util.LinkedHashMap<>();
        for (String t : texts) {
            float[] q = FakeModels.vector(Content.newBuilder().setText(t).build());
            List<Double> top = ALL.stream().map(c -> Fixtures.dot(q, FakeModels.vector(c.getContent())))
                    .sorted(Comparator.reverseOrder()).limit(2).toList();
            margins.put(t, top.get(0) - top.get(1));
        }
        List<Double> sorted = margins.values().stream().sorted().toList();
        double margin = (sorted.get(5) + sorted.get(6)) / 2;
        assertTrue(sorted.get(6) - sorted.get(5) > 1e-4, "the middle margins are apart: " + sorted);
        int reranked = 0;
        for (String t : texts) {
            Content q = Content.newBuilder().setText(t).build();
            SearchResponse r = retrieval.search(query(t).setTopK(5).setRecallK(20).setMode(SearchMode.SEARCH_MODE_AUTO)
                    .setAutoMargin(margin).build());
            boolean unsure = margins.get(t) < margin;
            reranked += unsure ? 1 : 0;
            assertEquals(margins.get(t), r.getObservedMargin(), 1e-5, t);
            assertEquals(unsure ? SearchMode.SEARCH_MODE_CASCADE : SearchMode.SEARCH_MODE_SINGLE, r.getModeRun(), t);
            assertEquals(unsure ? cascadeRanking(q, 20, 5, 0.1) : Fixtures.exactRanking(q, ALL, 5), dids(r), t);
        }
        assertEquals(6, reranked);
    }

    @Test
    void autoReranksOnlyWhenTheRetrieverIsUnsure() {
        int before = FakeModels.rerankCalls.get();
        SearchResponse sure = retrieval.search(query("blue tree").setMode(SearchMode.SEARCH_MODE_AUTO).setAutoMargin(0).build());
        assertEquals(SearchMode.SEARCH_MODE_SINGLE, sure.getModeRun());
        assertTrue(sure.hasObservedMargin());
        assertEquals(sure.getHits(0).getRecallScore() - sure.getHits(1).getRecallScore(), sure.getObservedMargin(), 1e-6);
        assertEquals(before, FakeModels.rerankCalls.get(), "no rerank when sure");
        SearchResponse unsure = retrieval.search(query("blue tree").setMode(SearchMode.SEARCH_MODE_AUTO).setAutoMargin(2).build());
        assertEquals(SearchMode.SEARCH_MODE_CASCADE, unsure.getModeRun());
        assertEquals(before + 1, FakeModels.rerankCalls.get());
    }

    @Test
    void aDownOrSlowRerankerDegradesOrFailsPerPolicy() {
        SearchRequest cascade = query("green chair").setTopK(5).setMode(SearchMode.SEARCH_MODE_CASCADE).build();
        List<String> single = dids(retrieval.search(query("green chair").setTopK(5).build()));
        FakeModels.rerankerDown = true;
        SearchResponse degraded = retrieval.search(cascade);
        assertTrue(degraded.getDegraded());
        assertTrue(degraded.getDegradedReason().startsWith("reranker UNAVAILABLE"), degraded.getDegradedReason());
        assertEquals(SearchMode.SEARCH_MODE_SINGLE, degraded.getModeRun());
        assertEquals(single, dids(degraded));
        refusal(Status.Code.UNAVAILABLE, () -> retrieval.search(cascade.toBuilder().setDegradePolicy(DegradePolicy.DEGRADE_POLICY_FAIL)
                .build()));
        FakeModels.rerankerDown = false;
        FakeModels.rerankerDelayMillis = 1500; // over the 500 ms rerank timeout of the test profile
        SearchResponse slow = retrieval.search(cascade);
        assertTrue(slow.getDegraded());
        assertTrue(slow.getDegradedReason().startsWith("reranker DEADLINE_EXCEEDED"), slow.getDegradedReason());
        refusal(Status.Code.DEADLINE_EXCEEDED, () -> retrieval.search(cascade.toBuilder()
                .setDegradePolicy(DegradePolicy.DEGRADE_POLICY_FAIL).build()));
    }

    @Test
    void badSearchesGetTheirStatus() {
        String[][] cases = {
            {"top_k: must be in 1..1000, got 1001", "top"},
            {"recall_k: must be in 1..1000, got 1001", "recall"},
            {"fusion.weight: must be a number >= 0, got -1.0", "weight"},
            {"fusion.weight: alpha must be in [0, 1] for FUSION_RULE_CONVEX, got 1.5", "alpha"},
            {"auto_margin: must be a number >= 0, got -0.1", "margin"},
            {"query.content: empty (needs text, an image, or both)", "empty"},
            {"mode: unknown value 9", "mode"},
            {"collection: empty", "collection"}};
        for (String[] c : cases) {
            SearchRequest.Builder b = query("cat");
            switch (c[1]) {
                case "top" -> b.setTopK(1001);
                case "recall" -> b.setRecallK(1001).setMode(SearchMode.SEARCH_MODE_CASCADE);
                case "weight" -> b.setFusion(Fusion.newBuilder().setWeight(-1));
                case "alpha" -> b.setFusion(Fusion.newBuilder().setRule(FusionRule.FUSION_RULE_CONVEX).setWeight(1.5));
                case "margin" -> b.setAutoMargin(-0.1);
                case "empty" -> b.setQuery(Query.newBuilder().setInstruction("only an instruction"));
                case "mode" -> b.setModeValue(9);
                default -> b.setCollection("");
            }
            assertEquals(c[0], refusal(Status.Code.INVALID_ARGUMENT, () -> retrieval.search(b.build())).getStatus().getDescription());
        }
        refusal(Status.Code.NOT_FOUND, () -> retrieval.search(query("cat").setCollection("absent").build()));
    }

    @Test
    void metricsCountModesStagesAndDegradedAnswers() throws Exception {
        retrieval.search(query("old house").setMode(SearchMode.SEARCH_MODE_AUTO).setAutoMargin(2).build());
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:8081/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        String body = metrics.body();
        for (String series : List.of("umarvel_search_stage_seconds_count{mode=\"auto\",stage=\"rerank\"}",
                "umarvel_search_auto_total{reranked=\"true\"}", "umarvel_requests_seconds_count{rpc=\"Search\",status=\"OK\"}",
                "umarvel_collection_size{collection=\"zoo\"} 64.0")) {
            assertTrue(body.contains(series), series + " in\n" + body.lines().filter(l -> l.startsWith("umarvel")).toList());
        }
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:8081/q/health/ready"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("fake-v1"), health.body());
    }

    @Test
    void searchesPastTheInFlightLimitAreRefusedAtOnce() throws Exception {
        FakeModels.queriesHeld = new java.util.concurrent.CountDownLatch(8);
        FakeModels.queryGate = new java.util.concurrent.CountDownLatch(1); // every admitted search holds its slot until let go
        RetrievalGrpc.RetrievalFutureStub async = RetrievalGrpc.newFutureStub(channel);
        List<com.google.common.util.concurrent.ListenableFuture<SearchResponse>> calls = new java.util.ArrayList<>();
        java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(16);
        try {
            for (int i = 0; i < 24; i++) { // three times the test profile's umarvel.search.max-in-flight
                var call = async.search(query("cat " + i).build());
                call.addListener(answered::countDown, Runnable::run);
                calls.add(call);
            }
            // 8 admitted searches wait at the embedder while the other 16 are answered
            assertTrue(FakeModels.queriesHeld.await(2, java.util.concurrent.TimeUnit.MINUTES), "8 searches admitted");
            assertTrue(answered.await(2, java.util.concurrent.TimeUnit.MINUTES), "16 searches answered while 8 wait");
        } finally {
            FakeModels.queryGate.countDown();
            FakeModels.queryGate = null;
        }
        int admitted = 0;
        int refused = 0;
        for (var call : calls) {
            try {
                assertEquals(10, call.get().getHitsCount());
                admitted++;
            } catch (java.util.concurrent.ExecutionException e) {
                Status s = Status.fromThrowable(e.getCause());
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
                assertEquals("8 searches in flight (umarvel.search.max-in-flight): retry with back-off", s.getDescription());
                refused++;
            }
        }
        assertEquals(8, admitted);
        assertEquals(16, refused);
        assertEquals(10, retrieval.search(query("cat").build()).getHitsCount(), "slots are given back");
    }
}
