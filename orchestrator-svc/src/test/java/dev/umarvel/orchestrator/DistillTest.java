package dev.umarvel.orchestrator;

import static dev.umarvel.orchestrator.CollectionsTest.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.Collection;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DescribeCollectionRequest;
import dev.umarvel.api.v1.DistillEvent;
import dev.umarvel.api.v1.DistillPhase;
import dev.umarvel.api.v1.DistillRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.EvaluationSummary;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.PhaseStatus;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.api.v1.SearchResponse;
import dev.umarvel.api.v1.StartJobRequest;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.TeacherFile;
import dev.umarvel.mbeir.TrainingSet;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Distill end to end against the fake models and trainer, on an M-BEIR-synth tiny dataset made in
 * the test: every phase in order, the teacher file's numbers, searches that never fail while the
 * collection is re-indexed and swapped, writes refused meanwhile, a failed run that leaves the
 * collection live and resumes, and a regression gate that keeps the live model.
 */
@QuarkusTest
@QuarkusTestResource(FakeModels.class)
class DistillTest {

    static final Path STORE = Path.of("target/test-store");
    static final String DATA = "synth-tiny";

    @GrpcClient("retrieval")
    RetrievalGrpc.RetrievalBlockingStub retrieval;


    @BeforeEach
    void reset() throws Exception {
        prepare();
    }

    /** The fake models back at their first model, nothing held or failing, the tiny dataset in the store. */
    static void prepare() throws Exception {
        FakeModels.version = "fake-v1";
        FakeModels.retained = "";
        FakeModels.checkpoint = "ckpt/live";
        FakeModels.reindexGate = null;
        FakeModels.failNextJob = false;
        if (!Files.exists(STORE.resolve(DATA).resolve(SynthGenerator.MANIFEST))) {
            SynthGenerator.generate(STORE.resolve(DATA), SynthSize.TINY, 5, m -> {});
        }
    }

    static final String TRAIN_POOL = DATA + "/cand_pool/global/mbeir_union_train_cand_pool.jsonl";

    /** A collection of the dataset's local pools (test and val), labelled by task, and of its training pool, labelled "train". */
    Collection collection(String name) throws Exception {
        return collection(retrieval, name);
    }

    static Collection collection(RetrievalGrpc.RetrievalBlockingStub retrieval, String name) throws Exception {
        retrieval.dropCollection(DropCollectionRequest.newBuilder().setName(name).setIfExists(true).build());
        retrieval.createCollection(CreateCollectionRequest.newBuilder().setName(name).build());
        retrieval.importPool(ImportPoolRequest.newBuilder().setCollection(name).setPoolPath(TRAIN_POOL).addPools("train").build())
                .forEachRemaining(p -> {});
        try (Stream<Path> pools = Files.list(STORE.resolve(DATA).resolve("cand_pool/local"))) {
            for (Path pool : pools.sorted().toList()) {
                String file = pool.getFileName().toString();
                ImportPoolRequest.Builder r = ImportPoolRequest.newBuilder().setCollection(name).setPoolPath(DATA + "/cand_pool/local/" + file);
                if (file.contains("_val_cand_pool")) { // MSCOCO's validation pools, apart from its test pools
                    r.addPools(file.replaceFirst("^mbeir_", "").replaceFirst("_cand_pool\\.jsonl$", ""));
                }
                retrieval.importPool(r.build()).forEachRemaining(p -> {});
            }
        }
        return retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName(name).build());
    }

    static DistillRequest.Builder request(String collection) {
        return DistillRequest.newBuilder().setCollection(collection).setDatasetDir(DATA).setSampleFraction(0.5).setRecallK(5)
                .setEvalQueriesPerTask(3).setSeed(3);
    }

    static Set<String> dids(Path pool) throws Exception {
        Set<String> out = new java.util.HashSet<>();
        for (String line : Files.readAllLines(pool)) {
            if (!line.isBlank()) {
                out.add(dev.umarvel.mbeir.Json.MAPPER.readTree(line).get("did").asText());
            }
        }
        return out;
    }

    /** The first event of each phase with this status. */
    static Map<DistillPhase, DistillEvent> by(List<DistillEvent> events, PhaseStatus status) {
        Map<DistillPhase, DistillEvent> out = new LinkedHashMap<>();
        events.stream().filter(e -> e.getStatus() == status).forEach(e -> out.putIfAbsent(e.getPhase(), e));
        return out;
    }

    static final List<DistillPhase> ORDER = List.of(DistillPhase.DISTILL_PHASE_EVALUATE_BEFORE, DistillPhase.DISTILL_PHASE_TEACHER_SCORING,
            DistillPhase.DISTILL_PHASE_TRAINING, DistillPhase.DISTILL_PHASE_DEPLOY, DistillPhase.DISTILL_PHASE_REINDEX,
            DistillPhase.DISTILL_PHASE_EVALUATE_AFTER, DistillPhase.DISTILL_PHASE_ALIAS_SWAP);

    @Test
    void theLoopScoresTrainsDeploysReindexesWhileServingAndSwaps() throws Exception {
        Collection before = collection("loop");
        assertTrue(before.getCount() > 100, "collection of " + before.getCount());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger searches = new AtomicInteger();
        AtomicBoolean reindexing = new AtomicBoolean();
        AtomicInteger duringReindex = new AtomicInteger();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread client = new Thread(() -> {
            while (!stop.get()) {
                try {
                    retrieval.search(SearchRequest.newBuilder().setCollection("loop").setQuery(Query.newBuilder()
                            .setContent(Content.newBuilder().setText("a red circle"))).setTopK(5).build());
                    searches.incrementAndGet();
                    if (reindexing.get()) {
                        duringReindex.incrementAndGet();
                        FakeModels.reindexGate.countDown(); // a search answered inside the re-index: let it finish
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }
        });
        client.start();
        FakeModels.reindexGate = new java.util.concurrent.CountDownLatch(1); // holds the re-index until a search meets it
        List<DistillEvent> events = new ArrayList<>();
        StatusRuntimeException writeRefused = null;
        StatusRuntimeException secondRun = null;
        var stream = retrieval.distill(request("loop").setPreset("minilm").putTaskTeacherWeights("mscoco_task0", 0.5).build());
        while (stream.hasNext()) {
            DistillEvent e = stream.next();
            events.add(e);
            if (e.getPhase() == DistillPhase.DISTILL_PHASE_REINDEX) {
                reindexing.set(e.getStatus() != PhaseStatus.PHASE_STATUS_DONE);
            }
            if (e.getPhase() == DistillPhase.DISTILL_PHASE_REINDEX && e.getStatus() == PhaseStatus.PHASE_STATUS_STARTED) {
                writeRefused = refusal(Status.Code.FAILED_PRECONDITION, () -> retrieval.importPool(ImportPoolRequest.newBuilder()
                        .setCollection("loop").setPoolPath(DATA + "/cand_pool/local/mbeir_cirr_task7_cand_pool.jsonl").setRestart(true)
                        .build()).forEachRemaining(p -> {}));
                secondRun = refusal(Status.Code.ABORTED, () -> retrieval.distill(request("loop").build()).forEachRemaining(x -> {}));
            }
        }
        stop.set(true);
        client.join();
        assertEquals(List.of(), failures, "searches failed during the loop");
        assertTrue(duringReindex.get() > 0, "no search ran during the re-index (" + searches.get() + " in all)");
        assertTrue(writeRefused.getStatus().getDescription().startsWith("collection: a Distill run is re-indexing loop"));
        assertEquals("collection: another Distill run holds loop", secondRun.getStatus().getDescription());

        String runId = events.get(0).getRunId();
        assertTrue(events.stream().allMatch(e -> e.getRunId().equals(runId)));
        assertEquals(ORDER, List.copyOf(by(events, PhaseStatus.PHASE_STATUS_DONE).keySet()), "phases in order, each done");
        assertTrue(by(events, PhaseStatus.PHASE_STATUS_FAILED).isEmpty());
        assertTrue(events.stream().filter(e -> e.getPhase() == DistillPhase.DISTILL_PHASE_TRAINING).anyMatch(DistillEvent::hasTraining),
                "the trainer's events are relayed");

        // the teacher file: the sample, the lists, the fused scores
        String teacherFile = by(events, PhaseStatus.PHASE_STATUS_DONE).get(DistillPhase.DISTILL_PHASE_TEACHER_SCORING).getTeacherFile();
        List<TeacherFile.Entry> teacher = TeacherFile.read(STORE.resolve(teacherFile));
        MbeirLayout layout = new MbeirLayout(STORE.resolve(DATA));
        TrainingSet set = TrainingSet.load(layout.unionTrainQueries(), layout.unionPool(MbeirLayout.TRAIN), layout.instructions());
        assertEquals(TrainingSet.sample(set.queries(), 0.5, 42).stream().map(q -> q.qid()).toList(),
                teacher.stream().map(TeacherFile.Entry::qid).toList());
        assertTrue(teacher.stream().anyMatch(e -> e.task().equals("mscoco_task0")), "the task with its own weight is sampled");
        for (TeacherFile.Entry e : teacher) {
            assertEquals(5, e.candidates().size());
            double w = e.task().equals("mscoco_task0") ? 0.5 : TeacherFile.DEFAULT_WEIGHT; // the request's, else the default
            for (int j = 0; j < 5; j++) {
                TeacherFile.Scored c = e.candidates().get(j);
                assertEquals(c.recall() + w * c.rerank(), c.teacher(), 1e-6, e.qid() + " " + c.did()); // the cascade's score
                assertTrue(j == 0 || c.recall() <= e.candidates().get(j - 1).recall() + 1e-6, "recall order");
            }
        }
        // honest: every listed candidate is a training candidate, and none of the candidates only the test and validation
        // pools hold (the collection's other pools, searched by the evaluations) ever reaches a list or the job's pool
        Set<String> training = dids(STORE.resolve(TRAIN_POOL));
        Set<String> evaluationOnly = new java.util.HashSet<>();
        try (Stream<Path> pools = Files.list(STORE.resolve(DATA).resolve("cand_pool/local"))) {
            for (Path p : pools.toList()) {
                evaluationOnly.addAll(dids(p));
            }
        }
        evaluationOnly.removeAll(training);
        assertTrue(evaluationOnly.size() > 100, "candidates only the evaluation pools hold: " + evaluationOnly.size());
        for (TeacherFile.Entry e : teacher) {
            for (TeacherFile.Scored c : e.candidates()) {
                assertTrue(training.contains(c.did()), e.qid() + " lists " + c.did() + ", not a training candidate");
            }
        }
        String poolFile = "distill/" + runId + "/candidates.jsonl";
        List<String> pool = Files.readAllLines(STORE.resolve(poolFile));
        Set<String> jobPool = dids(STORE.resolve(poolFile));
        assertTrue(java.util.Collections.disjoint(jobPool, evaluationOnly), "an evaluation candidate in the DISTILL job's pool");
        for (TeacherFile.Scored c : teacher.get(0).candidates()) {
            assertTrue(pool.stream().anyMatch(l -> l.contains("\"did\":\"" + c.did() + "\"")), c.did() + " in the job's pool");
        }

        // the job the trainer got
        StartJobRequest job = FakeModels.jobsStarted.stream().filter(j -> j.getJobId().equals("distill-" + runId)).findFirst().orElseThrow();
        assertEquals(JobKind.JOB_KIND_DISTILL, job.getSpec().getKind());
        assertEquals("ckpt/live", job.getSpec().getInitCheckpoint());
        assertEquals(teacherFile, job.getSpec().getData().getTeacherScores());
        assertEquals(STORE.resolve(poolFile).normalize(), STORE.resolve(DATA).resolve(job.getSpec().getData().getTrainPool()).normalize());
        assertEquals(5, job.getSpec().getDistill().getListSize());
        assertEquals("minilm", job.getSpec().getPreset(), "the request's preset reaches the job");
        assertEquals(64, job.getSpec().getHyper().getBatchSize(), "lists of 5: the most lists per step, 64");

        // deployed beside the old model, re-indexed, swapped
        String distilled = "fake-jobs-distill-" + runId + "-final";
        assertEquals(distilled, FakeModels.version);
        assertEquals("fake-v1", FakeModels.retained);
        Collection after = retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName("loop").build());
        assertEquals(2, after.getIndexVersion());
        assertEquals(distilled, after.getModelVersion());
        assertEquals(before.getCount(), after.getCount());
        assertEquals(before.getPoolCountsMap(), after.getPoolCountsMap());
        Collection swapped = by(events, PhaseStatus.PHASE_STATUS_DONE).get(DistillPhase.DISTILL_PHASE_ALIAS_SWAP).getCollection();
        assertEquals(2, swapped.getIndexVersion());
        assertEquals(distilled, swapped.getModelVersion());
        SearchResponse now = retrieval.search(SearchRequest.newBuilder().setCollection("loop").setQuery(Query.newBuilder()
                .setContent(Content.newBuilder().setText("a red circle"))).build());
        assertEquals(distilled, now.getModelVersion());
        assertEquals(2, now.getIndexVersion());

        // the fake's vectors do not depend on the version: the same recall before and after, from the same searches
        EvaluationSummary b = by(events, PhaseStatus.PHASE_STATUS_DONE).get(DistillPhase.DISTILL_PHASE_EVALUATE_BEFORE).getEvaluation();
        EvaluationSummary a = by(events, PhaseStatus.PHASE_STATUS_DONE).get(DistillPhase.DISTILL_PHASE_EVALUATE_AFTER).getEvaluation();
        assertEquals(16, b.getTasksCount());
        assertTrue(b.getMeanLocal() > 0);
        assertEquals(b.getMeanLocal(), a.getMeanLocal(), 1e-9);
        assertEquals(b.getMeanGlobal(), a.getMeanGlobal(), 1e-9);
    }

    @Test
    void aFailedRunLeavesTheCollectionLiveAndResumesWithItsRunId() throws Exception {
        collection("resume");
        FakeModels.failNextJob = true;
        List<DistillEvent> first = new ArrayList<>();
        StatusRuntimeException failed = refusal(Status.Code.ABORTED, () -> retrieval.distill(request("resume").build())
                .forEachRemaining(first::add));
        assertTrue(failed.getStatus().getDescription().startsWith("training: job distill-"), failed.getStatus().getDescription());
        DistillEvent last = first.get(first.size() - 1);
        assertEquals(DistillPhase.DISTILL_PHASE_TRAINING, last.getPhase());
        assertEquals(PhaseStatus.PHASE_STATUS_FAILED, last.getStatus());
        Collection live = retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName("resume").build());
        assertEquals(1, live.getIndexVersion());
        assertEquals("fake-v1", live.getModelVersion());
        assertEquals("fake-v1", FakeModels.version);

        List<DistillEvent> again = new ArrayList<>();
        retrieval.distill(request("resume").setRunId(last.getRunId()).build()).forEachRemaining(again::add);
        Map<DistillPhase, DistillEvent> skipped = by(again, PhaseStatus.PHASE_STATUS_SKIPPED);
        assertEquals(List.of(DistillPhase.DISTILL_PHASE_EVALUATE_BEFORE, DistillPhase.DISTILL_PHASE_TEACHER_SCORING),
                List.copyOf(skipped.keySet()));
        assertEquals(List.of(DistillPhase.DISTILL_PHASE_TRAINING, DistillPhase.DISTILL_PHASE_DEPLOY, DistillPhase.DISTILL_PHASE_REINDEX,
                DistillPhase.DISTILL_PHASE_EVALUATE_AFTER, DistillPhase.DISTILL_PHASE_ALIAS_SWAP),
                List.copyOf(by(again, PhaseStatus.PHASE_STATUS_DONE).keySet()));
        assertEquals(2, retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName("resume").build()).getIndexVersion());
        assertEquals(2, FakeModels.jobsStarted.stream().filter(j -> j.getJobId().startsWith("distill-" + last.getRunId())).count(),
                "a new job after the failed one");
    }

    @Test
    void aRunResumesOnlyOnACollectionOfTheModelItDistils() throws Exception {
        collection("rebased");
        FakeModels.failNextJob = true;
        List<DistillEvent> first = new ArrayList<>();
        refusal(Status.Code.ABORTED, () -> retrieval.distill(request("rebased").build()).forEachRemaining(first::add));
        String runId = first.get(0).getRunId();
        FakeModels.checkpoint = "ckpt/other";
        FakeModels.version = "fake-v9"; // the collection is made again, of another model
        collection("rebased");
        StatusRuntimeException e = refusal(Status.Code.FAILED_PRECONDITION, () -> retrieval.distill(request("rebased").setRunId(runId)
                .build()).forEachRemaining(x -> {}));
        assertEquals("run_id: run " + runId + " distils model fake-v1 but collection rebased holds vectors of fake-v9; start a new run",
                e.getStatus().getDescription());
    }

    @Test
    void aRegressionGateKeepsTheLiveModelAndCollection() throws Exception {
        collection("gated");
        List<DistillEvent> events = new ArrayList<>();
        // the fake's distilled model scores the same: requiring a gain of one point refuses it
        StatusRuntimeException refused = refusal(Status.Code.FAILED_PRECONDITION, () -> retrieval.distill(request("gated")
                .setMaxRegression(-1).build()).forEachRemaining(events::add));
        assertTrue(refused.getStatus().getDescription().startsWith("max_regression: the distilled model scores"),
                refused.getStatus().getDescription());
        assertEquals(PhaseStatus.PHASE_STATUS_FAILED, events.get(events.size() - 1).getStatus());
        assertEquals(DistillPhase.DISTILL_PHASE_EVALUATE_AFTER, events.get(events.size() - 1).getPhase());
        assertEquals("fake-v1", FakeModels.version, "the live model is back in service");
        Collection live = retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName("gated").build());
        assertEquals(1, live.getIndexVersion());
        assertEquals("fake-v1", live.getModelVersion());
        assertFalse(retrieval.search(SearchRequest.newBuilder().setCollection("gated").setQuery(Query.newBuilder()
                .setContent(Content.newBuilder().setText("a red circle"))).build()).getHitsList().isEmpty());

        // writes are allowed again; a new run re-indexes from scratch, not on top of the refused run's staged version
        String gone = retrieval.search(SearchRequest.newBuilder().setCollection("gated").setQuery(Query.newBuilder()
                .setContent(Content.newBuilder().setText("a red circle"))).build()).getHits(0).getDid();
        assertEquals(1, retrieval.delete(dev.umarvel.api.v1.DeleteRequest.newBuilder().setCollection("gated").addDids(gone).build())
                .getDeleted());
        retrieval.distill(request("gated").build()).forEachRemaining(e -> {});
        Collection swapped = retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName("gated").build());
        assertEquals(2, swapped.getIndexVersion());
        assertEquals(live.getCount() - 1, swapped.getCount(), "the deleted candidate is not carried over from the refused run");
    }

    @Test
    void badRequestsGetTheirStatusAndField() throws Exception {
        collection("checked");
        Map<DistillRequest, String> invalid = new LinkedHashMap<>();
        invalid.put(request("").build(), "collection: empty");
        invalid.put(request("checked").setDatasetDir("").build(), "dataset_dir: empty");
        invalid.put(request("checked").setSampleFraction(0).build(), "sample_fraction: must be in (0, 1], got 0.0");
        invalid.put(request("checked").setSampleFraction(1.5).build(), "sample_fraction: must be in (0, 1], got 1.5");
        invalid.put(request("checked").setRecallK(1).build(), "recall_k: must be in 2..1000, got 1");
        invalid.put(request("checked").setTeacherWeight(-1).build(), "teacher_weight: must be >= 0, got -1.0");
        invalid.put(request("checked").setEvalQueriesPerTask(-2).build(), "eval_queries_per_task: must be >= 0, got -2");
        invalid.put(request("checked").setDatasetDir("../elsewhere").build(), "dataset_dir: '../elsewhere' escapes the store");
        invalid.put(request("checked").setTrainQueries("../../x.jsonl").build(), "train_queries: '../../x.jsonl' escapes dataset_dir");
        Path outside = Files.createDirectories(STORE.toAbsolutePath().getParent().resolve("outside-the-distill-store"));
        Files.deleteIfExists(STORE.resolve("linked-data"));
        Files.createSymbolicLink(STORE.resolve("linked-data"), outside);
        invalid.put(request("checked").setDatasetDir("linked-data").build(), "dataset_dir: 'linked-data' leads out of the store through a link");
        invalid.put(request("checked").addTeacherPools("cirr_task7").build(),
                "teacher_pools[0]: 'cirr_task7' is an evaluation pool: teacher lists come from training candidates only");
        invalid.put(request("checked").addTeacherPools("train").addTeacherPools("mscoco_task0_val").build(),
                "teacher_pools[1]: 'mscoco_task0_val' is an evaluation pool: teacher lists come from training candidates only");
        invalid.put(request("checked").addTeacherPools("").build(), "teacher_pools[0]: empty");
        for (Map.Entry<DistillRequest, String> c : invalid.entrySet()) {
            StatusRuntimeException e = refusal(Status.Code.INVALID_ARGUMENT, () -> retrieval.distill(c.getKey()).forEachRemaining(x -> {}));
            assertEquals(c.getValue(), e.getStatus().getDescription());
        }
        assertEquals("collection: no collection named nowhere", refusal(Status.Code.NOT_FOUND, () -> retrieval.distill(request("nowhere")
                .build()).forEachRemaining(x -> {})).getStatus().getDescription());
        assertEquals("dataset_dir: no directory missing in the store", refusal(Status.Code.NOT_FOUND, () -> retrieval.distill(
                request("checked").setDatasetDir("missing").build()).forEachRemaining(x -> {})).getStatus().getDescription());
        assertEquals("run_id: no Distill run abc", refusal(Status.Code.NOT_FOUND, () -> retrieval.distill(request("checked")
                .setRunId("abc").build()).forEachRemaining(x -> {})).getStatus().getDescription());
        assertEquals("teacher_pools: collection checked holds no candidate in pool 'training'; import the dataset's training pool into "
                + "it first (ImportPool with pools [\"training\"])", refusal(Status.Code.FAILED_PRECONDITION, () -> retrieval.distill(
                request("checked").addTeacherPools("training").build()).forEachRemaining(x -> {})).getStatus().getDescription());
    }
}
