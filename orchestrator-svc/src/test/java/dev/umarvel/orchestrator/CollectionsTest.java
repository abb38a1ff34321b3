package dev.umarvel.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Collection;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DeleteRequest;
import dev.umarvel.api.v1.DeleteResponse;
import dev.umarvel.api.v1.DescribeCollectionRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.HnswParams;
import dev.umarvel.api.v1.IndexBackend;
import dev.umarvel.api.v1.ListCollectionsRequest;
import dev.umarvel.api.v1.Modality;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.api.v1.UpsertRequest;
import dev.umarvel.api.v1.UpsertResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Collections and indexing through the Retrieval contract's real stubs, on both backends. */
@QuarkusTest
@QuarkusTestResource(FakeModels.class)
class CollectionsTest {

    @GrpcClient("retrieval")
    RetrievalGrpc.RetrievalBlockingStub retrieval;

    @GrpcClient("retrieval")
    io.grpc.Channel channel;

    RetrievalGrpc.RetrievalStub streams;

    @org.junit.jupiter.api.BeforeEach
    void streams() {
        streams = RetrievalGrpc.newStub(channel);
    }

    static StatusRuntimeException refusal(Status.Code code, org.junit.jupiter.api.function.Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        return e;
    }

    Collection create(String name, IndexBackend backend) {
        retrieval.dropCollection(DropCollectionRequest.newBuilder().setName(name).setIfExists(true).build());
        return retrieval.createCollection(CreateCollectionRequest.newBuilder().setName(name).setBackend(backend).build());
    }

    @Test
    void createDescribeListDropAndTheirErrors() {
        Collection c = create("docs", IndexBackend.INDEX_BACKEND_EMBEDDED);
        assertEquals("fake-v1", c.getModelVersion());
        assertEquals(FakeModels.DIMENSION, c.getDimension());
        assertEquals("docs_v1", c.getPhysicalName());
        assertEquals(HnswParams.newBuilder().setM(32).setEfConstruction(100).setEfSearch(0).build(), c.getHnsw());
        assertEquals(0, c.getCount());
        assertEquals(c.getName(), retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName("docs").build()).getName());
        assertTrue(retrieval.listCollections(ListCollectionsRequest.getDefaultInstance()).getCollectionsList().stream()
                .anyMatch(x -> x.getName().equals("docs")));

        refusal(Status.Code.ALREADY_EXISTS, () -> retrieval.createCollection(CreateCollectionRequest.newBuilder().setName("docs").build()));
        assertEquals("name: 'Docs!' must match [a-z][a-z0-9_]{0,62}", refusal(Status.Code.INVALID_ARGUMENT,
                () -> retrieval.createCollection(CreateCollectionRequest.newBuilder().setName("Docs!").build())).getStatus().getDescription());
        assertEquals("hnsw.m: must be in 4..128, got 2", refusal(Status.Code.INVALID_ARGUMENT, () -> retrieval.createCollection(
                CreateCollectionRequest.newBuilder().setName("x").setHnsw(HnswParams.newBuilder().setM(2)).build())).getStatus().getDescription());
        assertEquals("backend: unknown value 7", refusal(Status.Code.INVALID_ARGUMENT, () -> retrieval.createCollection(
                CreateCollectionRequest.newBuilder().setName("x").setBackendValue(7).build())).getStatus().getDescription());
        refusal(Status.Code.NOT_FOUND, () -> retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName("nope").build()));
        assertEquals("name: empty", refusal(Status.Code.INVALID_ARGUMENT,
                () -> retrieval.describeCollection(DescribeCollectionRequest.getDefaultInstance())).getStatus().getDescription());

        assertTrue(retrieval.dropCollection(DropCollectionRequest.newBuilder().setName("docs").build()).getDropped());
        assertFalse(retrieval.dropCollection(DropCollectionRequest.newBuilder().setName("docs").setIfExists(true).build()).getDropped());
        refusal(Status.Code.NOT_FOUND, () -> retrieval.dropCollection(DropCollectionRequest.newBuilder().setName("docs").build()));
    }

    @Test
    void anInt8CollectionQuantisesItsGraphAndAnswersWithFullPrecisionScores() throws Exception {
        retrieval.dropCollection(DropCollectionRequest.newBuilder().setName("quantised").setIfExists(true).build());
        Collection c = retrieval.createCollection(CreateCollectionRequest.newBuilder().setName("quantised")
                .setHnsw(HnswParams.newBuilder().setInt8(true)).build());
        assertEquals(HnswParams.newBuilder().setM(32).setEfConstruction(100).setEfSearch(0).setInt8(true).build(), c.getHnsw());
        List<Candidate> all = Fixtures.catalogue();
        Fixtures.upsert(streams, Fixtures.chunks("quantised", all, 32));
        assertTrue(retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName("quantised").build()).getHnsw().getInt8());
        collections.index("quantised").compact(); // one segment, not a compound file: its parts can be listed
        try (var files = java.nio.file.Files.walk(java.nio.file.Path.of("target/test-store/collections/quantised/v1"))) {
            assertTrue(files.anyMatch(f -> f.toString().endsWith(".veq")), "Lucene's quantised vectors (.veq) are written");
        }
        Content q = Content.newBuilder().setText("a striped dog").build();
        var hits = retrieval.search(SearchRequest.newBuilder().setCollection("quantised").setTopK(5)
                .setQuery(Query.newBuilder().setInstruction("Find the thing.").setContent(q)).build()).getHitsList();
        assertEquals(Fixtures.exactRanking(q, all, 5), hits.stream().map(dev.umarvel.api.v1.Hit::getDid).toList());
        Candidate top = all.stream().filter(x -> x.getDid().equals(hits.get(0).getDid())).findFirst().orElseThrow();
        assertEquals(Fixtures.dot(FakeModels.vector(q), FakeModels.vector(top.getContent())), hits.get(0).getRecallScore(), 1e-5,
                "the full-precision cosine, not the 7-bit one");

        assertEquals("hnsw.int8: only the embedded index quantises its graph; a Milvus collection keeps float vectors",
                refusal(Status.Code.INVALID_ARGUMENT, () -> retrieval.createCollection(CreateCollectionRequest.newBuilder().setName("x")
                        .setBackend(IndexBackend.INDEX_BACKEND_MILVUS).setHnsw(HnswParams.newBuilder().setInt8(true)).build()))
                        .getStatus().getDescription());
        // a record written before the option existed has no int8: read as false, which it was
        java.nio.file.Path old = java.nio.file.Path.of("target/test-store/legacy-record");
        java.nio.file.Files.createDirectories(old);
        java.nio.file.Files.writeString(old.resolve(CollectionRecord.FILE), """
                {"name": "old", "description": "", "backend": "EMBEDDED", "metric": "COSINE", "dimension": 32, "modelVersion": "fake-v1",
                 "indexVersion": 1, "m": 16, "efConstruction": 100, "efSearch": 0, "createdAtMillis": 0, "swappedAtMillis": 0, "pools": []}""");
        assertFalse(CollectionRecord.read(old).int8());
    }

    @Test
    void aCollectionWhoseIndexCannotBeReadIsListedAsUnavailableBesideTheOthers() throws Exception {
        create("readable", IndexBackend.INDEX_BACKEND_EMBEDDED);
        // a record whose index is not there to read (a Milvus gone, a volume half restored): here a file where its directory should be
        java.nio.file.Path ghost = java.nio.file.Path.of("target/test-store/collections/ghost");
        Collections.deleteTree(ghost);
        java.nio.file.Files.createDirectories(ghost);
        new CollectionRecord("ghost", "", OrchestratorConfig.Backend.EMBEDDED, "COSINE", FakeModels.DIMENSION, "fake-v1", 1, 16, 100, 0, 0L, 0L,
                java.util.Set.of(), false).write(ghost);
        java.nio.file.Files.writeString(ghost.resolve("v1"), "not an index");
        try {
            java.util.Map<String, Collection> listed = new java.util.HashMap<>();
            retrieval.listCollections(ListCollectionsRequest.getDefaultInstance()).getCollectionsList().forEach(c -> listed.put(c.getName(), c));
            assertEquals("", listed.get("readable").getUnavailable());
            assertTrue(listed.get("ghost").getUnavailable().startsWith("UNAVAILABLE: index of ghost: "), listed.get("ghost").getUnavailable());
            assertEquals(0, listed.get("ghost").getCount());
        } finally {
            Collections.deleteTree(ghost);
        }
    }

    @Test
    void upsertIsIdempotentByDidAndCountsPools() throws Exception {
        List<Candidate> all = Fixtures.catalogue();
        create("pets", IndexBackend.INDEX_BACKEND_EMBEDDED);
        UpsertResponse first = Fixtures.upsert(streams, Fixtures.chunks("pets", all, 10));
        assertEquals(64, first.getUpserted());
        assertEquals(64, first.getCreated());
        assertEquals(64, first.getCollection().getCount());
        assertEquals(32, first.getCollection().getPoolCountsOrThrow("even"));
        assertTrue(first.getTimingsList().stream().anyMatch(t -> t.getStage().equals("embed")));
        UpsertResponse again = Fixtures.upsert(streams, Fixtures.chunks("pets", all.subList(0, 20), 7));
        assertEquals(0, again.getCreated());
        assertEquals(20, again.getReplaced());
        assertEquals(64, again.getCollection().getCount());

        DeleteResponse deleted = retrieval.delete(DeleteRequest.newBuilder().setCollection("pets").addDids("9:1").addDids("9:2")
                .addDids("no:such").build());
        assertEquals(2, deleted.getDeleted());
        assertEquals(1, deleted.getNotFound());
        assertEquals(62, retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName("pets").build()).getCount());
        assertEquals("dids[1]: empty", refusal(Status.Code.INVALID_ARGUMENT, () -> retrieval.delete(DeleteRequest.newBuilder()
                .setCollection("pets").addDids("9:3").addDids("").build())).getStatus().getDescription());
    }

    @jakarta.inject.Inject
    Collections collections;

    @Test
    void aLargeUpsertStreamIsCompactedInTheBackgroundAfterItAnswers() throws Exception {
        create("compacted", IndexBackend.INDEX_BACKEND_EMBEDDED);
        UpsertResponse r = Fixtures.upsert(streams, Fixtures.chunks("compacted", Fixtures.catalogue(), 8)); // 8 chunks: 8 segments
        assertEquals(64, r.getUpserted());
        dev.umarvel.index.LuceneIndex index = (dev.umarvel.index.LuceneIndex) collections.index("compacted");
        long until = System.nanoTime() + 30_000_000_000L;
        while (index.segments() > 1 && System.nanoTime() < until) {
            Thread.sleep(50); // polls an observable state: the segments the searches visit
        }
        assertEquals(1, index.segments(), "the stream's segments merged into one (%test.umarvel.index.compact-after=40)");
        assertEquals(64, retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName("compacted").build()).getCount());
    }

    @Test
    void aBadCandidateEndsTheStreamNamingChunkAndIndexAndKeepsEarlierChunks() throws Exception {
        List<Candidate> all = Fixtures.catalogue();
        create("strict", IndexBackend.INDEX_BACKEND_EMBEDDED);
        List<UpsertRequest> chunks = new java.util.ArrayList<>(Fixtures.chunks("strict", all.subList(0, 8), 4));
        chunks.add(UpsertRequest.newBuilder().addCandidates(all.get(9)).addCandidates(all.get(10))
                .addCandidates(all.get(11).toBuilder().setDid("")).build());
        assertEquals("chunk 2: candidates[2].did: empty", refusal(Status.Code.INVALID_ARGUMENT, () -> Fixtures.upsert(streams, chunks))
                .getStatus().getDescription());
        assertEquals(8, retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName("strict").build()).getCount());

        Candidate contradicting = all.get(0).toBuilder().setModality(Modality.MODALITY_IMAGE).build();
        assertEquals("chunk 0: candidates[0].modality: MODALITY_IMAGE contradicts the content (MODALITY_TEXT)",
                refusal(Status.Code.INVALID_ARGUMENT, () -> Fixtures.upsert(streams, Fixtures.chunks("strict", List.of(contradicting), 1)))
                        .getStatus().getDescription());
        Candidate refused = all.get(0).toBuilder().setContent(Content.newBuilder().setText("undecodable")).build();
        assertEquals("chunk 1: candidates[1].content.text: refused by the fake", refusal(Status.Code.INVALID_ARGUMENT,
                () -> Fixtures.upsert(streams, Fixtures.chunks("strict", List.of(all.get(1), all.get(2), all.get(3), refused), 2)))
                .getStatus().getDescription());
        assertEquals("chunk 1: collection: 'other' differs from the first chunk's 'strict'", refusal(Status.Code.INVALID_ARGUMENT,
                () -> Fixtures.upsert(streams, List.of(Fixtures.chunks("strict", all.subList(0, 1), 1).get(0),
                        UpsertRequest.newBuilder().setCollection("other").addCandidates(all.get(2)).build()))).getStatus().getDescription());
        refusal(Status.Code.NOT_FOUND, () -> Fixtures.upsert(streams, Fixtures.chunks("absent", all.subList(0, 1), 1)));
    }

    @Test
    void inlineImagesAreStoredOnceAndReturnedByStorePath() throws Exception {
        create("pictures", IndexBackend.INDEX_BACKEND_EMBEDDED);
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2, 3}; // the fake embedder does not decode
        Candidate a = Candidate.newBuilder().setDid("p:1").setContent(Content.newBuilder().setText("a drawing")
                .setImage(dev.umarvel.api.v1.Image.newBuilder().setData(com.google.protobuf.ByteString.copyFrom(png)))).build();
        Candidate b = a.toBuilder().setDid("p:2").build(); // the same picture again
        Fixtures.upsert(streams, Fixtures.chunks("pictures", List.of(a, b), 2));
        dev.umarvel.api.v1.SearchResponse r = retrieval.search(SearchRequest.newBuilder().setCollection("pictures").setIncludeContent(true)
                .setQuery(Query.newBuilder().setContent(Content.newBuilder().setText("drawing"))).build());
        assertEquals(2, r.getHitsCount());
        String path = r.getHits(0).getCandidate().getContent().getImage().getStorePath();
        assertTrue(path.matches("collections/pictures/images/[0-9a-f]{64}\\.png"), path);
        assertEquals(path, r.getHits(1).getCandidate().getContent().getImage().getStorePath(), "content-addressed: stored once");
        assertEquals(Modality.MODALITY_IMAGE_TEXT, r.getHits(0).getCandidate().getModality());
        org.junit.jupiter.api.Assertions.assertArrayEquals(png, java.nio.file.Files.readAllBytes(java.nio.file.Path.of("target/test-store")
                .resolve(path)));
    }

    @Test
    void vectorsOfAnotherModelAreRefused() throws Exception {
        create("pinned", IndexBackend.INDEX_BACKEND_EMBEDDED);
        FakeModels.version = "fake-v2";
        try {
            StatusRuntimeException e = refusal(Status.Code.FAILED_PRECONDITION,
                    () -> Fixtures.upsert(streams, Fixtures.chunks("pinned", Fixtures.catalogue().subList(0, 2), 2)));
            assertTrue(e.getStatus().getDescription().startsWith("model: collection pinned holds vectors of fake-v1, which the embedder no "
                    + "longer serves ('fake-v1' is neither in service (fake-v2) nor retained)"), e.getStatus().getDescription());
            refusal(Status.Code.FAILED_PRECONDITION, () -> retrieval.search(SearchRequest.newBuilder().setCollection("pinned")
                    .setQuery(Query.newBuilder().setContent(Content.newBuilder().setText("cat"))).build()));
        } finally {
            FakeModels.version = "fake-v1";
        }
        assertEquals(0, retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName("pinned").build()).getCount());
    }

    @Test
    void theMilvusBackendAnswersAsTheEmbeddedOne() throws Exception {
        List<Candidate> all = Fixtures.catalogue();
        create("local", IndexBackend.INDEX_BACKEND_EMBEDDED);
        Collection m = create("remote", IndexBackend.INDEX_BACKEND_MILVUS);
        assertEquals(IndexBackend.INDEX_BACKEND_MILVUS, m.getBackend());
        assertEquals(HnswParams.newBuilder().setM(16).setEfConstruction(200).setEfSearch(200).build(), m.getHnsw());
        Fixtures.upsert(streams, Fixtures.chunks("local", all, 16));
        UpsertResponse remote = Fixtures.upsert(streams, Fixtures.chunks("remote", all, 16));
        assertEquals(64, remote.getCollection().getCount());
        assertEquals(64, FakeModels.milvus.size("remote_v1"));
        for (String text : List.of("red cat", "a large boat", "young bird number 7")) {
            SearchRequest.Builder q = SearchRequest.newBuilder().setTopK(5).setQuery(Query.newBuilder()
                    .setContent(Content.newBuilder().setText(text)));
            List<String> embedded = retrieval.search(q.setCollection("local").build()).getHitsList().stream().map(h -> h.getDid()).toList();
            List<String> milvus = retrieval.search(q.setCollection("remote").build()).getHitsList().stream().map(h -> h.getDid()).toList();
            assertEquals(Fixtures.exactRanking(q.getQuery().getContent(), all, 5), embedded, text);
            assertEquals(embedded, milvus, text);
        }
        assertTrue(retrieval.dropCollection(DropCollectionRequest.newBuilder().setName("remote").build()).getDropped());
        assertEquals(-1, FakeModels.milvus.size("remote_v1"), "the physical collection went with it");
    }
}
