package dev.umarvel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.*;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServiceDescriptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One message of every RPC of umarvel.v1, built and sent through the generated stubs to an
 * in-process server and back; the last test checks that no RPC was left out.
 */
class ContractRoundTripTest {

    private static final Set<String> called = ConcurrentHashMap.newKeySet();
    private static Server server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        ServerInterceptor recorder = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                called.add(call.getMethodDescriptor().getFullMethodName());
                return next.startCall(call, headers);
            }
        };
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(new EchoServices.Embedder(), recorder))
                .addService(ServerInterceptors.intercept(new EchoServices.Reranker(), recorder))
                .addService(ServerInterceptors.intercept(new EchoServices.Trainer(), recorder))
                .addService(ServerInterceptors.intercept(new EchoServices.Retrieval(), recorder))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static Query query(String text) {
        return Query.newBuilder().setInstruction("Retrieve an image that matches this caption.")
                .setContent(Content.newBuilder().setText(text)).setQid("9:6").build();
    }

    @Test
    void embedder() throws Exception {
        var stub = EmbedderGrpc.newBlockingStub(channel);
        EmbedResponse embedded = stub.embed(EmbedRequest.newBuilder()
                .addItems(EmbedItem.newBuilder().setQuery(query("a red circle")))
                .addItems(EmbedItem.newBuilder().setCandidate(Content.newBuilder().setImage(EchoServices.png(42))))
                .setTruncation(Truncation.TRUNCATION_REJECT).build());
        assertEquals(List.of(12f, 0f, 1f), embedded.getEmbeddings(0).getValuesList());
        assertEquals(List.of(0f, 42f, 0f), embedded.getEmbeddings(1).getValuesList());
        assertEquals("abc123def456", embedded.getModelVersion());

        ModelInfo info = stub.getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel();
        assertEquals(Pooling.POOLING_MEAN, info.getPooling());
        LoadModelResponse swapped = stub.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("checkpoints/next").build());
        assertEquals("checkpoints/live", swapped.getPrevious().getCheckpointPath());
        assertEquals("checkpoints/next", swapped.getCurrent().getCheckpointPath());

        List<EmbedStreamResponse> answers = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<EmbedStreamRequest> requests = EmbedderGrpc.newStub(channel).embedStream(collect(answers, done));
        requests.onNext(EmbedStreamRequest.newBuilder().setRequestId(7).setBatch(EmbedRequest.newBuilder()
                .addItems(EmbedItem.newBuilder().setCandidate(Content.newBuilder().setText("four")))).build());
        requests.onNext(EmbedStreamRequest.newBuilder().setRequestId(8).setBatch(EmbedRequest.getDefaultInstance()).build());
        requests.onCompleted();
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(7, answers.get(0).getRequestId());
        assertEquals(List.of(4f, 0f, 0f), answers.get(0).getResult().getEmbeddings(0).getValuesList());
        assertEquals(8, answers.get(1).getRequestId());
        assertEquals(com.google.rpc.Code.INVALID_ARGUMENT_VALUE, answers.get(1).getError().getCode());
    }

    @Test
    void reranker() {
        var stub = RerankerGrpc.newBlockingStub(channel);
        RerankResponse scores = stub.rerank(RerankRequest.newBuilder().setQuery(query("q"))
                .addCandidates(Content.newBuilder().setText("abc")).addCandidates(Content.newBuilder().setText("")).build());
        assertEquals(0.25f, scores.getScores(0).getPYes());
        assertEquals(1f, scores.getScores(1).getPYes());
        assertEquals(ModelKind.MODEL_KIND_RERANKER,
                stub.getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel().getKind());
        assertEquals("checkpoints/rr2", stub.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("checkpoints/rr2")
                .build()).getCurrent().getCheckpointPath());
    }

    @Test
    void trainer() {
        var stub = TrainerGrpc.newBlockingStub(channel);
        JobSpec spec = JobSpec.newBuilder().setKind(JobKind.JOB_KIND_HARD_NEGATIVE).setInitCheckpoint("jobs/s3/final")
                .setData(DataSpec.newBuilder().setDatasetDir("datasets/synth-tiny").setHardNegatives("jobs/mine/hn.jsonl"))
                .setHyper(HyperParameters.newBuilder().setLearningRate(1.5e-5).setHardNegativesPerQuery(5)
                        .setLrScaling(LrScaling.LR_SCALING_LINEAR))
                .setMining(MiningOptions.newBuilder().setSimilarityThreshold(0.95))
                .setSeed(42).build();
        Job job = stub.startJob(StartJobRequest.newBuilder().setSpec(spec).setJobId("hn-1").build());
        assertEquals(spec, job.getSpec());
        assertTrue(job.getSpec().getHyper().hasLearningRate());
        assertFalse(job.getSpec().getHyper().hasBatchSize(), "unset optional fields stay unset");

        Iterator<JobEvent> events = stub.watchJob(WatchJobRequest.newBuilder().setJobId("hn-1").build());
        List<JobEvent> all = new ArrayList<>();
        events.forEachRemaining(all::add);
        assertEquals(List.of(1L, 2L, 3L), all.stream().map(JobEvent::getSequence).toList());
        assertEquals(0.05, all.get(1).getProgress().getTemperature());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, all.get(2).getState().getState());

        assertEquals(JobState.JOB_STATE_QUEUED, stub.getJob(GetJobRequest.newBuilder().setJobId("hn-1").build()).getState());
        assertEquals(JobState.JOB_STATE_CANCELLED,
                stub.cancelJob(CancelJobRequest.newBuilder().setJobId("hn-1").build()).getState());
        assertEquals("hn-1", stub.listJobs(ListJobsRequest.getDefaultInstance()).getJobs(0).getJobId());
        assertEquals("jobs/hn-1/step-200", stub.listCheckpoints(ListCheckpointsRequest.newBuilder().setUnder("jobs/hn-1")
                .build()).getCheckpoints(0).getPath());
    }

    @Test
    void retrieval() throws Exception {
        var stub = RetrievalGrpc.newBlockingStub(channel);
        Collection created = stub.createCollection(CreateCollectionRequest.newBuilder().setName("docs")
                .setBackend(IndexBackend.INDEX_BACKEND_MILVUS).setHnsw(HnswParams.newBuilder().setM(32)).build());
        assertEquals("docs_v1", created.getPhysicalName());
        assertEquals(32, stub.describeCollection(DescribeCollectionRequest.newBuilder().setName("docs").build())
                .getHnsw().getM());
        assertEquals(1, stub.listCollections(ListCollectionsRequest.getDefaultInstance()).getCollectionsCount());

        List<UpsertResponse> upserted = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<UpsertRequest> chunks = RetrievalGrpc.newStub(channel).upsert(collect(upserted, done));
        Candidate candidate = Candidate.newBuilder().setDid("9:1").setDatasetId(9).addPools("mscoco_task0")
                .setContent(Content.newBuilder().setImage(Image.newBuilder().setStorePath("img/1.png")))
                .putMetadata("source", "test").build();
        chunks.onNext(UpsertRequest.newBuilder().setCollection("docs").addCandidates(candidate).addCandidates(candidate).build());
        chunks.onNext(UpsertRequest.newBuilder().addCandidates(candidate).build());
        chunks.onCompleted();
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(3, upserted.get(0).getUpserted());

        assertEquals(2, stub.delete(DeleteRequest.newBuilder().setCollection("docs").addDids("9:1").addDids("9:2")
                .build()).getDeleted());
        List<ImportPoolProgress> progress = new ArrayList<>();
        stub.importPool(ImportPoolRequest.newBuilder().setCollection("docs")
                .setPoolPath("datasets/synth/cand_pool/local/mbeir_mscoco_task0_cand_pool.jsonl").build())
                .forEachRemaining(progress::add);
        assertTrue(progress.get(progress.size() - 1).getDone());

        SearchResponse found = stub.search(SearchRequest.newBuilder().setCollection("docs").setQuery(query("9:3 9:1 9:2"))
                .setTopK(2).setRecallK(50).setMode(SearchMode.SEARCH_MODE_CASCADE)
                .setFusion(Fusion.newBuilder().setRule(FusionRule.FUSION_RULE_WEIGHTED_SUM).setWeight(0.1))
                .setFilter(SearchFilter.newBuilder().addPools("mscoco_task0")).build());
        assertEquals(List.of("9:3", "9:1"), found.getHitsList().stream().map(Hit::getDid).toList());
        assertEquals(SearchMode.SEARCH_MODE_CASCADE, found.getModeRun());
        assertTrue(found.getHits(0).hasRerankScore());

        List<DistillPhase> phases = new ArrayList<>();
        stub.distill(DistillRequest.newBuilder().setCollection("docs").setDatasetDir("datasets/synth").setSampleFraction(0.1)
                .build()).forEachRemaining(e -> phases.add(e.getPhase()));
        assertEquals(7, phases.size());
        assertEquals(DistillPhase.DISTILL_PHASE_ALIAS_SWAP, phases.get(5));

        assertTrue(stub.dropCollection(DropCollectionRequest.newBuilder().setName("docs").build()).getDropped());
    }

    @Test
    void everyRpcOfTheContractIsExercised() throws Exception {
        // Calls the others itself, so the check does not depend on test order.
        embedder();
        reranker();
        trainer();
        retrieval();
        Set<String> all = Stream.of(EmbedderGrpc.getServiceDescriptor(), RerankerGrpc.getServiceDescriptor(),
                        TrainerGrpc.getServiceDescriptor(), RetrievalGrpc.getServiceDescriptor())
                .map(ServiceDescriptor::getMethods).flatMap(java.util.Collection::stream)
                .map(MethodDescriptor::getFullMethodName).collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(all);
        missing.removeAll(called);
        assertTrue(missing.isEmpty(), "RPCs never called: " + missing);
        assertEquals(22, all.size(), "the contract's RPC count changed: update this test's calls");
    }

    private static <T> StreamObserver<T> collect(List<T> into, CountDownLatch done) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                into.add(value);
            }

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        };
    }
}
