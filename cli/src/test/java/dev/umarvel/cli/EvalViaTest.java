package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umarvel.api.v1.Collection;
import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DescribeCollectionRequest;
import dev.umarvel.api.v1.Hit;
import dev.umarvel.api.v1.ImportPoolProgress;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.api.v1.SearchResponse;
import dev.umarvel.mbeir.Json;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code umarvel eval --via} against a Retrieval server with known answers: SINGLE puts the positive
 * 7th, CASCADE first, AUTO reranks every other query; the requests must carry what a client sends.
 */
class EvalViaTest {

    @TempDir Path store;

    static final class KnownAnswers extends RetrievalGrpc.RetrievalImplBase {
        final Map<String, String> positives = new ConcurrentHashMap<>();
        final List<SearchRequest> searches = new CopyOnWriteArrayList<>();
        final List<ImportPoolRequest> imports = new CopyOnWriteArrayList<>();

        @Override
        public void createCollection(CreateCollectionRequest r, StreamObserver<Collection> out) {
            out.onNext(Collection.newBuilder().setName(r.getName()).build());
            out.onCompleted();
        }

        @Override
        public void describeCollection(DescribeCollectionRequest r, StreamObserver<Collection> out) {
            out.onNext(Collection.newBuilder().setName(r.getName()).build());
            out.onCompleted();
        }

        @Override
        public void importPool(ImportPoolRequest r, StreamObserver<ImportPoolProgress> out) {
            imports.add(r);
            out.onNext(ImportPoolProgress.newBuilder().setLinesRead(3).setTotalLines(5).setUpserted(3).build());
            out.onNext(ImportPoolProgress.newBuilder().setDone(true).setLinesRead(5).setTotalLines(5).setUpserted(5)
                    .setCollection(Collection.newBuilder().setName(r.getCollection()).setCount(5).putPoolCounts("p", 5)).build());
            out.onCompleted();
        }

        @Override
        public void listCollections(dev.umarvel.api.v1.ListCollectionsRequest r, StreamObserver<dev.umarvel.api.v1.ListCollectionsResponse> out) {
            out.onNext(dev.umarvel.api.v1.ListCollectionsResponse.newBuilder().addCollections(Collection.newBuilder().setName("a").setCount(3))
                    .addCollections(Collection.newBuilder().setName("b")).build());
            out.onCompleted();
        }

        @Override
        public void delete(dev.umarvel.api.v1.DeleteRequest r, StreamObserver<dev.umarvel.api.v1.DeleteResponse> out) {
            out.onNext(dev.umarvel.api.v1.DeleteResponse.newBuilder().setDeleted(r.getDidsCount() - 1).setNotFound(1).build());
            out.onCompleted();
        }

        @Override
        public void search(SearchRequest r, StreamObserver<SearchResponse> out) {
            searches.add(r);
            boolean rerank = r.getMode() == SearchMode.SEARCH_MODE_CASCADE
                    || r.getMode() == SearchMode.SEARCH_MODE_AUTO && Math.floorMod(r.getQuery().getQid().hashCode(), 2) == 0;
            SearchResponse.Builder b = SearchResponse.newBuilder().setModeRun(rerank ? SearchMode.SEARCH_MODE_CASCADE
                    : SearchMode.SEARCH_MODE_SINGLE);
            int at = rerank ? 0 : 6;
            for (int i = 0; i < r.getTopK(); i++) {
                b.addHits(Hit.newBuilder().setDid(i == at ? positives.get(r.getQuery().getQid()) : "filler:" + i).setRank(i + 1));
            }
            out.onNext(b.build());
            out.onCompleted();
        }
    }

    @Test
    void collectionCommandsCallTheirRpcs() throws Exception {
        KnownAnswers service = new KnownAnswers();
        Server server = NettyServerBuilder.forPort(0).addService(service).build().start();
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.out;
        System.setOut(new java.io.PrintStream(captured, true));
        String via = "localhost:" + server.getPort();
        try {
            assertEquals(0, Umarvel.run("collection", "list", "--via", via));
            assertEquals(0, Umarvel.run("collection", "import", "data/x.jsonl", "--collection", "docs", "--pools", "p", "--via", via));
            assertEquals(0, Umarvel.run("collection", "delete", "--collection", "docs", "9:1", "9:2", "--via", via));
        } finally {
            System.setOut(before);
            server.shutdownNow();
        }
        String out = captured.toString();
        assertTrue(out.lines().anyMatch(l -> l.startsWith("a ") && l.contains("3 candidates")), out);
        assertTrue(out.contains("5 lines, 5 written, 0 already there"), out);
        assertTrue(out.contains("pools {p=5}"), out);
        assertTrue(out.contains("deleted 1, not found 1"), out);
        assertEquals(List.of("p"), service.imports.get(0).getPoolsList());
    }

    @Test
    void searchPrintsTheRankedHits() throws Exception {
        KnownAnswers service = new KnownAnswers();
        service.positives.put("", "9:42");
        Server server = NettyServerBuilder.forPort(0).addService(service).build().start();
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.out;
        System.setOut(new java.io.PrintStream(captured, true));
        try {
            assertEquals(0, Umarvel.run("search", "a red circle", "--via", "localhost:" + server.getPort(), "--mode", "cascade",
                    "--top-k", "3", "--pool", "mscoco_task0", "--collection", "c"));
        } finally {
            System.setOut(before);
            server.shutdownNow();
        }
        String out = captured.toString();
        assertTrue(out.startsWith("cascade, model"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s+1\\s+9:42\\s.*")), out);
        assertEquals(3, out.lines().filter(l -> l.matches("\\s+\\d\\s+\\S+\\s.*")).count(), out);
        SearchRequest sent = service.searches.get(0);
        assertEquals("a red circle", sent.getQuery().getContent().getText());
        assertEquals(List.of("mscoco_task0"), sent.getFilter().getPoolsList());
        assertTrue(sent.getIncludeContent());
    }

    @Test
    void recallAndLatencyPerModeThroughTheService() throws Exception {
        Path data = store.resolve("data/tiny");
        SynthGenerator.generate(data, SynthSize.TINY, 3, s -> {});
        KnownAnswers service = new KnownAnswers();
        for (String task : List.of("mscoco_task0", "cirr_task7")) {
            try (Stream<MbeirQuery> qs = Jsonl.queries(new dev.umarvel.mbeir.MbeirLayout(data).queries("test",
                    dev.umarvel.mbeir.EvalTask.byName(task)))) {
                qs.forEach(q -> service.positives.put(q.qid(), q.posCandList().get(0)));
            }
        }
        Server server = NettyServerBuilder.forPort(0).addService(service).build().start();
        try {
            Path out = store.resolve("reports");
            assertEquals(0, Umarvel.run("eval", "--via", "localhost:" + server.getPort(), "--store", store.toString(), "--data",
                    "data/tiny", "--tasks", "mscoco_task0,cirr_task7", "--queries-per-task", "6", "--setup", "--collection", "tiny_eval",
                    "--out", out.toString()));
            JsonNode evaluations = Json.MAPPER.readTree(out.resolve("eval-via.json").toFile()).get("evaluations");
            assertEquals("single via service", evaluations.get(0).get("label").asText());
            assertEquals(0.0, evaluations.get(0).get("tasks").get(0).get("local_recall_at").get("R@5").asDouble());
            assertEquals(100.0, evaluations.get(0).get("tasks").get(0).get("local_recall_at").get("R@10").asDouble());
            assertEquals(100.0, evaluations.get(1).get("mean_local").asDouble(), "cascade puts every positive first");
            assertEquals(6, evaluations.get(1).get("tasks").get(1).get("queries").asInt());

            assertEquals(List.of("data/tiny/cand_pool/local/mbeir_mscoco_task0_test_cand_pool.jsonl",
                    "data/tiny/cand_pool/local/mbeir_cirr_task7_cand_pool.jsonl"),
                    service.imports.stream().map(ImportPoolRequest::getPoolPath).toList());
            assertEquals(List.of("mscoco_task0"), service.imports.get(0).getPoolsList());
            // 3 modes x 2 tasks x 6 queries x (local + global)
            assertEquals(72, service.searches.size());
            SearchRequest first = service.searches.stream().filter(s -> s.getQuery().getQid().equals(
                    service.searches.get(0).getQuery().getQid())).findFirst().orElseThrow();
            assertTrue(!first.getQuery().getInstruction().isEmpty(), "the task's instruction is sent");
            assertTrue(service.searches.stream().filter(s -> s.getFilter().getPoolsCount() == 1).count() == 36, "local scope filters");
            assertTrue(service.searches.stream().filter(s -> s.getQuery().getContent().hasImage()).allMatch(s -> s.getQuery().getContent()
                    .getImage().getStorePath().startsWith("data/tiny/mbeir_images/")));
            assertTrue(service.searches.stream().allMatch(s -> s.getTopK() == 50 && s.getRecallK() == 50));
            String md = java.nio.file.Files.readString(out.resolve("eval-via.md"));
            assertTrue(md.contains("| auto via service | 24 |"), md);
            assertTrue(md.matches("(?s).*\\| cascade via service \\| 24 \\| [0-9.]+ \\| [0-9.]+ \\| 100% \\| 0 \\|.*"), md);
        } finally {
            server.shutdownNow();
        }
    }
}
