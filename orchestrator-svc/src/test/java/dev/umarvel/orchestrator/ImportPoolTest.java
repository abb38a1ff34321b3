package dev.umarvel.orchestrator;

import static dev.umarvel.orchestrator.CollectionsTest.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.ImportPoolProgress;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchFilter;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.index.VectorIndex;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ImportPool of an M-BEIR pool file made in the test: progress, labels, resume after a failure, and its refusals. */
@QuarkusTest
@QuarkusTestResource(FakeModels.class)
class ImportPoolTest {

    @GrpcClient("retrieval")
    RetrievalGrpc.RetrievalBlockingStub retrieval;

    @Inject
    Collections collections;

    @Inject
    OrchestratorConfig config;

    static final String POOL = "mini/cand_pool/local/mbeir_mscoco_task0_test_cand_pool.jsonl";

    static void writePool(String badText) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String text = i == 7 ? badText : "caption " + i + " of a scene";
            lines.add(i % 2 == 0 ? "{\"did\": \"9:" + i + "\", \"txt\": \"" + text + "\", \"img_path\": null, \"modality\": \"text\"}"
                    : "{\"did\": \"9:" + i + "\", \"txt\": null, \"img_path\": \"mbeir_images/mscoco_images/" + i
                            + ".png\", \"modality\": \"image\", \"src_content\": null}");
        }
        lines.set(7, "{\"did\": \"9:7\", \"txt\": \"" + badText + "\", \"img_path\": null, \"modality\": \"text\"}");
        Path file = Path.of("target/test-store").resolve(POOL);
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
    }

    static List<ImportPoolProgress> run(RetrievalGrpc.RetrievalBlockingStub stub, ImportPoolRequest r) {
        List<ImportPoolProgress> out = new ArrayList<>();
        stub.importPool(r).forEachRemaining(out::add);
        return out;
    }

    @Test
    void importsWithProgressAndResumesAfterAFailure() throws Exception {
        retrieval.dropCollection(DropCollectionRequest.newBuilder().setName("coco").setIfExists(true).build());
        retrieval.createCollection(CreateCollectionRequest.newBuilder().setName("coco").build());
        writePool("undecodable"); // line 8 is refused by the embedder
        ImportPoolRequest request = ImportPoolRequest.newBuilder().setCollection("coco").setPoolPath(POOL).setBatchSize(3).build();
        List<ImportPoolProgress> partial = new ArrayList<>();
        String failure = refusal(Status.Code.INVALID_ARGUMENT, () -> retrieval.importPool(request).forEachRemaining(partial::add))
                .getStatus().getDescription();
        assertEquals(POOL + " lines 7..9: candidates[1].content.text: refused by the fake", failure);
        assertEquals(List.of(3L, 6L), partial.stream().map(ImportPoolProgress::getLinesRead).toList());

        writePool("caption 7 of a scene");
        List<ImportPoolProgress> resumed = run(retrieval, request);
        ImportPoolProgress last = resumed.get(resumed.size() - 1);
        assertTrue(last.getDone());
        assertEquals(10, last.getLinesRead());
        assertEquals(10, last.getTotalLines());
        assertEquals(6, last.getSkipped(), "the six durable lines are not embedded again");
        assertEquals(4, last.getUpserted());
        assertEquals(10, last.getCollection().getCount());
        assertEquals(10, last.getCollection().getPoolCountsOrThrow("mscoco_task0"));
        ImportPoolProgress merging = resumed.get(resumed.size() - 2);
        assertTrue(merging.getCompacting() && !merging.getDone(), "the merge is announced before the caller waits for it");
        assertEquals(10, merging.getLinesRead());
        assertEquals(1, resumed.stream().filter(ImportPoolProgress::getCompacting).count());

        List<ImportPoolProgress> nothingNew = run(retrieval, request);
        assertEquals(1, nothingNew.size(), "nothing written, nothing to merge: only the last message");
        ImportPoolProgress again = nothingNew.get(0);
        assertFalse(again.getCompacting());
        assertEquals(10, again.getSkipped());
        assertEquals(0, again.getUpserted());
        ImportPoolProgress restarted = run(retrieval, request.toBuilder().setRestart(true).build()).stream().reduce((a, b) -> b).orElseThrow();
        assertEquals(10, restarted.getUpserted());
        assertEquals(10, restarted.getCollection().getCount(), "idempotent by did");

        Path shared = Path.of("target/test-store/mini/cand_pool/local/mbeir_mscoco_task3_test_cand_pool.jsonl");
        Files.write(shared, Files.readAllLines(Path.of("target/test-store").resolve(POOL)).subList(0, 4));
        ImportPoolProgress second = run(retrieval, ImportPoolRequest.newBuilder().setCollection("coco")
                .setPoolPath("mini/cand_pool/local/mbeir_mscoco_task3_test_cand_pool.jsonl").build()).stream().reduce((a, c) -> c).orElseThrow();
        assertEquals(10, second.getCollection().getCount());
        assertEquals(4, second.getCollection().getPoolCountsOrThrow("mscoco_task3"));
        assertEquals(10, second.getCollection().getPoolCountsOrThrow("mscoco_task0"), "shared candidates keep their first label");

        String image = retrieval.search(SearchRequest.newBuilder().setCollection("coco").setIncludeContent(true).setTopK(10)
                .setQuery(dev.umarvel.api.v1.Query.newBuilder().setContent(dev.umarvel.api.v1.Content.newBuilder().setText("scene")))
                .setFilter(SearchFilter.newBuilder().addPools("mscoco_task0").addModalities(dev.umarvel.api.v1.Modality.MODALITY_IMAGE))
                .build()).getHits(0).getCandidate().getContent().getImage().getStorePath();
        assertTrue(image.startsWith("mini/mbeir_images/mscoco_images/"), "images resolve against the M-BEIR root: " + image);
        String text = retrieval.search(SearchRequest.newBuilder().setCollection("coco").setIncludeContent(true).setTopK(1)
                .setQuery(dev.umarvel.api.v1.Query.newBuilder().setContent(dev.umarvel.api.v1.Content.newBuilder().setText("caption 0")))
                .setFilter(SearchFilter.newBuilder().addModalities(dev.umarvel.api.v1.Modality.MODALITY_TEXT)).build())
                .getHits(0).getCandidate().getContent().getText();
        assertTrue(text.matches("Caption \\d of a scene\\."), "M-BEIR's format_string applied: " + text);
    }

    /**
     * A collection as an import killed between its last durable write and its compaction leaves it: the pool imported, then
     * one more candidate written in a bulk write (segments without a search graph) and never compacted.
     */
    private VectorIndex killedImportLeftovers(ImportPoolRequest request) throws Exception {
        String collection = request.getCollection();
        retrieval.dropCollection(DropCollectionRequest.newBuilder().setName(collection).setIfExists(true).build());
        retrieval.createCollection(CreateCollectionRequest.newBuilder().setName(collection).build());
        writePool("caption 7 of a scene");
        run(retrieval, request);
        VectorIndex index = collections.index(collection);
        assertFalse(index.awaitsCompaction());
        float[] vector = new float[index.dimension()];
        vector[0] = 1;
        try (VectorIndex.BulkWrite killedRun = index.bulkWrite()) {
            index.upsert(List.of(new VectorIndex.Entry("9:99", vector, 9, "text", List.of("mscoco_task0"))));
        }
        assertTrue(index.awaitsCompaction());
        return index;
    }

    /** Running the killed import again, with nothing new to write, builds the graph its candidates wait for. */
    @Test
    void aRunWithNothingNewCompactsWhatAKilledRunLeftWithoutAGraph() throws Exception {
        ImportPoolRequest request = ImportPoolRequest.newBuilder().setCollection("killed").setPoolPath(POOL).build();
        VectorIndex index = killedImportLeftovers(request);
        List<ImportPoolProgress> again = run(retrieval, request);
        assertEquals(0, again.get(again.size() - 1).getUpserted());
        assertEquals(1, again.stream().filter(ImportPoolProgress::getCompacting).count(), "nothing new, yet a graph to build");
        assertFalse(index.awaitsCompaction());
    }

    /** The same leftovers, and the orchestrator restarted instead of the import: opening the collection compacts them. */
    @Test
    void aRestartedOrchestratorCompactsWhatAKilledImportLeftWithoutAGraph() throws Exception {
        VectorIndex index = killedImportLeftovers(ImportPoolRequest.newBuilder().setCollection("revived").setPoolPath(POOL).build());
        index.close(); // the kill: this process' collections no longer serve "revived"
        Collections restarted = new Collections(config);
        try {
            VectorIndex reopened = restarted.index("revived");
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (reopened.awaitsCompaction()) { // polls an observable state: the segments the searches visit
                assertTrue(System.nanoTime() < deadline, "the restarted orchestrator never compacted the killed import's segments");
                Thread.sleep(50);
            }
            assertEquals(11, reopened.size());
        } finally {
            restarted.close(); // its compactor thread, record store and the index it opened: the restarted process ends
        }
    }

    /** A pool of a dataset no code of ours knows (a user's glossary, dataset 42) is labelled with its own task and searched by it. */
    @Test
    void aPoolOfAnyDatasetIsLabelledWithItsTask() throws Exception {
        retrieval.dropCollection(DropCollectionRequest.newBuilder().setName("glossary").setIfExists(true).build());
        retrieval.createCollection(CreateCollectionRequest.newBuilder().setName("glossary").build());
        String pool = "mine/cand_pool/local/mbeir_glossary_task1_cand_pool.jsonl";
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            lines.add("{\"did\": \"42:" + i + "\", \"txt\": \"definition " + i + "\", \"img_path\": null, \"modality\": \"text\"}");
        }
        Path file = Path.of("target/test-store").resolve(pool);
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
        ImportPoolProgress last = run(retrieval, ImportPoolRequest.newBuilder().setCollection("glossary").setPoolPath(pool).build())
                .stream().reduce((a, c) -> c).orElseThrow();
        assertEquals(6, last.getCollection().getPoolCountsOrThrow("glossary_task1"));
        List<String> dids = retrieval.search(SearchRequest.newBuilder().setCollection("glossary").setTopK(10)
                .setQuery(dev.umarvel.api.v1.Query.newBuilder().setContent(dev.umarvel.api.v1.Content.newBuilder().setText("definition")))
                .setFilter(SearchFilter.newBuilder().addPools("glossary_task1")).build()).getHitsList().stream()
                .map(dev.umarvel.api.v1.Hit::getDid).sorted().toList();
        assertEquals(List.of("42:0", "42:1", "42:2", "42:3", "42:4", "42:5"), dids);
    }

    @Test
    void badImportsGetTheirStatus() throws Exception {
        retrieval.dropCollection(DropCollectionRequest.newBuilder().setName("coco_bad").setIfExists(true).build());
        retrieval.createCollection(CreateCollectionRequest.newBuilder().setName("coco_bad").build());
        Path broken = Path.of("target/test-store/mini/broken.jsonl");
        Files.createDirectories(broken.getParent());
        Files.write(broken, List.of("{\"did\": \"9:1\", \"txt\": \"x\", \"modality\": \"text\"}", "{not json"));
        ImportPoolRequest.Builder b = ImportPoolRequest.newBuilder().setCollection("coco_bad");
        assertTrue(refusal(Status.Code.INVALID_ARGUMENT, () -> run(retrieval, b.setPoolPath("mini/broken.jsonl").build()))
                .getStatus().getDescription().startsWith("mini/broken.jsonl:2: not JSON"));
        assertEquals("pool_path: '../outside.jsonl' escapes the store", refusal(Status.Code.INVALID_ARGUMENT,
                () -> run(retrieval, b.setPoolPath("../outside.jsonl").build())).getStatus().getDescription());
        Path outside = broken.toAbsolutePath().getParent().getParent().getParent().resolve("outside-the-import-store.jsonl");
        Files.copy(broken, outside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(broken.resolveSibling("linked.jsonl"));
        Files.createSymbolicLink(broken.resolveSibling("linked.jsonl"), outside);
        assertEquals("pool_path: 'mini/linked.jsonl' leads out of the store through a link", refusal(Status.Code.INVALID_ARGUMENT,
                () -> run(retrieval, b.setPoolPath("mini/linked.jsonl").build())).getStatus().getDescription());
        refusal(Status.Code.NOT_FOUND, () -> run(retrieval, b.setPoolPath("mini/absent.jsonl").build()));
        refusal(Status.Code.NOT_FOUND, () -> run(retrieval, b.setCollection("absent").setPoolPath("mini/broken.jsonl").build()));
        assertEquals("batch_size: must be in 1..1024, got 5000", refusal(Status.Code.INVALID_ARGUMENT,
                () -> run(retrieval, b.setCollection("coco_bad").setBatchSize(5000).build())).getStatus().getDescription());
    }
}
