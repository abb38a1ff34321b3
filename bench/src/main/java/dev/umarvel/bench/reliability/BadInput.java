package dev.umarvel.bench.reliability;

import com.google.protobuf.ByteString;
import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DeleteRequest;
import dev.umarvel.api.v1.DescribeCollectionRequest;
import dev.umarvel.api.v1.DistillRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.EmbedRequest;
import dev.umarvel.api.v1.EmbedStreamRequest;
import dev.umarvel.api.v1.EmbedStreamResponse;
import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.GetJobRequest;
import dev.umarvel.api.v1.CancelJobRequest;
import dev.umarvel.api.v1.GetModelInfoRequest;
import dev.umarvel.api.v1.HnswParams;
import dev.umarvel.api.v1.Image;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.JobSpec;
import dev.umarvel.api.v1.DataSpec;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.ListCollectionsRequest;
import dev.umarvel.api.v1.ListJobsRequest;
import dev.umarvel.api.v1.LoadModelRequest;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RerankRequest;
import dev.umarvel.api.v1.RerankerGrpc;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.api.v1.StartJobRequest;
import dev.umarvel.api.v1.TrainerGrpc;
import dev.umarvel.api.v1.UpsertRequest;
import dev.umarvel.api.v1.WatchJobRequest;
import dev.umarvel.cli.ClientSecurity;
import dev.umarvel.cli.Upserts;
import dev.umarvel.security.Scope;
import dev.umarvel.security.TokenFile;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Malformed requests to every RPC of the four services, each with the status it must get. After them the
 * services must still be ready and the collection must hold what it held.
 */
final class BadInput {

    /**
     * One malformed request, the status it must get, and what its description must hold: the field at fault (or the
     * credential, the collection, ...). {@code names} is null only where no description can be asked for: a valid request,
     * or a refusal below gRPC (a request over the message limit, which Vert.x's gRPC server ends with RESOURCE_EXHAUSTED and no
     * message before any code of ours runs; plaintext to a TLS port, where no gRPC exchange happens at all).
     */
    record Case(String rpc, String input, Status.Code expected, String names, Call call) {
        boolean belowGrpc() {
            return names == null && expected != Status.Code.OK;
        }
    }

    /** What it got. */
    record Outcome(Case c, Status.Code got, String description) {
        boolean pass() {
            return statusRight() && describes();
        }

        boolean statusRight() {
            return got == c.expected();
        }

        boolean describes() {
            return c.names() == null || description != null && description.contains(c.names());
        }
    }

    interface Call {
        void run() throws Exception;
    }

    private final Deployment d;
    private final String collection;

    BadInput(Deployment d, String collection) {
        this.d = d;
        this.collection = collection;
    }

    List<Outcome> run() throws Exception {
        List<Outcome> out = new ArrayList<>();
        for (Case c : cases()) {
            out.add(attempt(c));
        }
        return out;
    }

    static Outcome attempt(Case c) {
        try {
            c.call().run();
            return new Outcome(c, Status.Code.OK, "");
        } catch (StatusRuntimeException e) {
            return new Outcome(c, e.getStatus().getCode(), String.valueOf(e.getStatus().getDescription()));
        } catch (Exception e) {
            Status s = Status.fromThrowable(e);
            return new Outcome(c, s.getCode(), String.valueOf(s.getDescription()));
        }
    }

    private static Content text(String t) {
        return Content.newBuilder().setText(t).build();
    }

    private static Content image(byte[] bytes) {
        return Content.newBuilder().setImage(Image.newBuilder().setData(ByteString.copyFrom(bytes))).build();
    }

    private static Content storeImage(String path) {
        return Content.newBuilder().setImage(Image.newBuilder().setStorePath(path)).build();
    }

    private static Query query(Content c) {
        return Query.newBuilder().setInstruction("Retrieve an image that matches this caption.").setContent(c).build();
    }

    private SearchRequest.Builder search() {
        return Queries.search(collection, 0);
    }

    private List<Case> cases() throws Exception {
        RetrievalGrpc.RetrievalBlockingStub r = d.retrieval();
        EmbedderGrpc.EmbedderBlockingStub e = d.embedder();
        RerankerGrpc.RerankerBlockingStub rr = d.rerankerStub();
        TrainerGrpc.TrainerBlockingStub t = d.trainer();
        byte[] corrupt = "\u0089PNG\r\n\u001a\nthis is no image".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] oversized = new byte[9 << 20]; // over the model services' 8 MiB image limit
        oversized[0] = (byte) 0x89;
        byte[] huge = new byte[70 << 20]; // over every service's 64 MiB message limit

        String readerToken = TokenFile.add(d.security.resolve("tokens"), "reader-" + System.currentTimeMillis(), EnumSet.of(Scope.SEARCH));
        Thread.sleep(2500); // the services read the tokens file again within 2 s
        ClientSecurity reader = d.admin.withToken(readerToken);
        ClientSecurity noToken = d.admin.withToken(null);
        ClientSecurity wrongToken = d.admin.withToken(TokenFile.newToken());
        ClientSecurity noCertificate = new ClientSecurity(d.admin.ca(), null, null, d.admin.token());

        List<Case> c = new ArrayList<>();
        Status.Code invalid = Status.Code.INVALID_ARGUMENT;
        // Retrieval (orchestrator)
        c.add(new Case("Retrieval/Search", "empty collection name", invalid, "collection:", () -> r.search(search().setCollection("").build())));
        c.add(new Case("Retrieval/Search", "unknown collection", Status.Code.NOT_FOUND, "collection: no collection named nope", () -> r.search(search().setCollection("nope").build())));
        c.add(new Case("Retrieval/Search", "top_k = -1", invalid, "top_k:", () -> r.search(search().setTopK(-1).build())));
        c.add(new Case("Retrieval/Search", "top_k = 1,000,000", invalid, "top_k:", () -> r.search(search().setTopK(1_000_000).build())));
        c.add(new Case("Retrieval/Search", "recall_k = -5", invalid, "recall_k:", () -> r.search(search().setRecallK(-5).build())));
        c.add(new Case("Retrieval/Search", "mode = 99 (unknown enum)", invalid, "mode:", () -> r.search(search().setModeValue(99).build())));
        c.add(new Case("Retrieval/Search", "query without content", invalid, "query.content:",
                () -> r.search(search().setQuery(Query.newBuilder().setInstruction("x")).build())));
        c.add(new Case("Retrieval/Search", "corrupt PNG query image", invalid, "items[0].query.content.image.data:", () -> r.search(search().setQuery(query(image(corrupt))).build())));
        c.add(new Case("Retrieval/Search", "9 MiB query image", invalid, "items[0].query.content.image.data:", () -> r.search(search().setQuery(query(image(oversized))).build())));
        c.add(new Case("Retrieval/Search", "70 MiB request", Status.Code.RESOURCE_EXHAUSTED, null,
                () -> r.search(search().setQuery(query(image(huge))).build())));
        c.add(new Case("Retrieval/Search", "image store_path ../../etc/passwd", invalid, "items[0].query.content.image.store_path:",
                () -> r.search(search().setQuery(query(storeImage("../../etc/passwd"))).build())));
        c.add(new Case("Retrieval/Search", "auto_margin = -0.5", invalid, "auto_margin:", () -> r.search(search().setAutoMargin(-0.5).build())));
        c.add(new Case("Retrieval/Search", "degrade_policy = 9 (unknown enum)", invalid, "degrade_policy:", () -> r.search(search().setDegradePolicyValue(9).build())));
        c.add(new Case("Retrieval/Search", "fusion weight = -1", invalid, "fusion.weight:", () -> r.search(search().setFusion(dev.umarvel.api.v1.Fusion.newBuilder()
                .setWeight(-1)).build())));
        c.add(new Case("Retrieval/CreateCollection", "empty name", invalid, "name:", () -> r.createCollection(CreateCollectionRequest.newBuilder().build())));
        c.add(new Case("Retrieval/CreateCollection", "name ../escape", invalid, "name:",
                () -> r.createCollection(CreateCollectionRequest.newBuilder().setName("../escape").build())));
        c.add(new Case("Retrieval/CreateCollection", "existing name", Status.Code.ALREADY_EXISTS, "name: collection",
                () -> r.createCollection(CreateCollectionRequest.newBuilder().setName(collection).build())));
        c.add(new Case("Retrieval/CreateCollection", "backend = 42 (unknown enum)", invalid, "backend:",
                () -> r.createCollection(CreateCollectionRequest.newBuilder().setName("bad_backend").setBackendValue(42).build())));
        c.add(new Case("Retrieval/CreateCollection", "hnsw m = -1", invalid, "hnsw.m:", () -> r.createCollection(CreateCollectionRequest.newBuilder()
                .setName("bad_hnsw").setHnsw(HnswParams.newBuilder().setM(-1)).build())));
        c.add(new Case("Retrieval/DescribeCollection", "unknown collection", Status.Code.NOT_FOUND, "collection: no collection named nope",
                () -> r.describeCollection(DescribeCollectionRequest.newBuilder().setName("nope").build())));
        c.add(new Case("Retrieval/DropCollection", "unknown collection", Status.Code.NOT_FOUND, "name: no collection named nope",
                () -> r.dropCollection(DropCollectionRequest.newBuilder().setName("nope").build())));
        c.add(new Case("Retrieval/ListCollections", "(valid; the service answers)", Status.Code.OK, null,
                () -> r.listCollections(ListCollectionsRequest.getDefaultInstance())));
        c.add(new Case("Retrieval/Upsert", "candidate without did", invalid, "candidates[0].did:", () -> upsert(Candidate.newBuilder().setContent(text("x")).build())));
        c.add(new Case("Retrieval/Upsert", "candidate without content", invalid, "candidates[0].content:", () -> upsert(Candidate.newBuilder().setDid("9:1").build())));
        c.add(new Case("Retrieval/Upsert", "corrupt image candidate", invalid, "candidates[0].content.image.data:",
                () -> upsert(Candidate.newBuilder().setDid("9:2").setContent(image(corrupt)).build())));
        c.add(new Case("Retrieval/Delete", "unknown collection", Status.Code.NOT_FOUND, "collection: no collection named nope",
                () -> r.delete(DeleteRequest.newBuilder().setCollection("nope").addDids("1:1").build())));
        c.add(new Case("Retrieval/Delete", "no dids", invalid, "dids:", () -> r.delete(DeleteRequest.newBuilder().setCollection(collection).build())));
        c.add(new Case("Retrieval/ImportPool", "pool_path ../../etc/passwd", invalid, "pool_path:", () -> r.importPool(ImportPoolRequest.newBuilder()
                .setCollection(collection).setPoolPath("../../etc/passwd").build()).hasNext()));
        c.add(new Case("Retrieval/ImportPool", "pool_path of no file", Status.Code.NOT_FOUND, "pool_path:", () -> r.importPool(ImportPoolRequest.newBuilder()
                .setCollection(collection).setPoolPath("data/none.jsonl").build()).hasNext()));
        c.add(new Case("Retrieval/ImportPool", "batch_size = -1", invalid, "batch_size:", () -> r.importPool(ImportPoolRequest.newBuilder()
                .setCollection(collection).setPoolPath("data/none.jsonl").setBatchSize(-1).build()).hasNext()));
        c.add(new Case("Retrieval/Distill", "no collection", invalid, "collection:", () -> r.distill(DistillRequest.newBuilder().build()).hasNext()));
        c.add(new Case("Retrieval/Distill", "sample_fraction = 1.5", invalid, "sample_fraction:", () -> r.distill(DistillRequest.newBuilder().setCollection(collection)
                .setDatasetDir("data").setSampleFraction(1.5).build()).hasNext()));
        c.add(new Case("Retrieval/Distill", "dataset_dir /etc", invalid, "dataset_dir:", () -> r.distill(DistillRequest.newBuilder().setCollection(collection)
                .setDatasetDir("/etc").build()).hasNext()));
        // Embedder
        c.add(new Case("Embedder/Embed", "no items", invalid, "items:", () -> e.embed(EmbedRequest.getDefaultInstance())));
        c.add(new Case("Embedder/Embed", "item without content", invalid, "items[0]:", () -> e.embed(EmbedRequest.newBuilder().addItems(EmbedItem.newBuilder()).build())));
        c.add(new Case("Embedder/Embed", "corrupt PNG", invalid, "items[0].candidate.image.data:", () -> e.embed(embed(image(corrupt)))));
        c.add(new Case("Embedder/Embed", "9 MiB image", invalid, "items[0].candidate.image.data:", () -> e.embed(embed(image(oversized)))));
        c.add(new Case("Embedder/Embed", "store_path ../../etc/passwd", invalid, "items[0].candidate.image.store_path:", () -> e.embed(embed(storeImage("../../etc/passwd")))));
        c.add(new Case("Embedder/Embed", "store_path of no file", Status.Code.NOT_FOUND, "items[0].candidate.image.store_path:", () -> e.embed(embed(storeImage("data/none.png")))));
        c.add(new Case("Embedder/Embed", "1,000 items (limit 256)", invalid, "items:", () -> {
            EmbedRequest.Builder b = EmbedRequest.newBuilder();
            for (int i = 0; i < 1000; i++) {
                b.addItems(EmbedItem.newBuilder().setCandidate(text("x" + i)));
            }
            e.embed(b.build());
        }));
        c.add(new Case("Embedder/Embed", "truncation = 7 (unknown enum)", invalid, "truncation:", () -> e.embed(embed(text("x")).toBuilder().setTruncationValue(7).build())));
        c.add(new Case("Embedder/Embed", "unknown model_version", Status.Code.FAILED_PRECONDITION, "model_version:",
                () -> e.embed(embed(text("x")).toBuilder().setModelVersion("0000deadbeef").build())));
        c.add(new Case("Embedder/EmbedStream", "batch without items", invalid, "items:", () -> embedStream(EmbedStreamRequest.newBuilder().setRequestId(1)
                .setBatch(EmbedRequest.getDefaultInstance()).build())));
        c.add(new Case("Embedder/LoadModel", "checkpoint_path ../../etc", invalid, "checkpoint_path:",
                () -> e.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("../../etc").build())));
        c.add(new Case("Embedder/LoadModel", "checkpoint_path empty", invalid, "checkpoint_path:", () -> e.loadModel(LoadModelRequest.getDefaultInstance())));
        c.add(new Case("Embedder/LoadModel", "checkpoint_path of no checkpoint", Status.Code.NOT_FOUND, "checkpoint_path:",
                () -> e.loadModel(LoadModelRequest.newBuilder().setCheckpointPath("jobs/none/final").build())));
        c.add(new Case("Embedder/LoadModel", "a reranker checkpoint", Status.Code.FAILED_PRECONDITION, "checkpoint_path:",
                () -> e.loadModel(LoadModelRequest.newBuilder().setCheckpointPath(d.reranker).build())));
        // Reranker
        c.add(new Case("Reranker/Rerank", "no candidates", invalid, "candidates:", () -> rr.rerank(RerankRequest.newBuilder().setQuery(query(text("x"))).build())));
        c.add(new Case("Reranker/Rerank", "no query", invalid, "query:", () -> rr.rerank(RerankRequest.newBuilder().addCandidates(text("x")).build())));
        c.add(new Case("Reranker/Rerank", "corrupt PNG candidate", invalid, "candidates[0].image.data:",
                () -> rr.rerank(RerankRequest.newBuilder().setQuery(query(text("x"))).addCandidates(image(corrupt)).build())));
        c.add(new Case("Reranker/LoadModel", "an embedder checkpoint", Status.Code.FAILED_PRECONDITION, "checkpoint_path:",
                () -> rr.loadModel(LoadModelRequest.newBuilder().setCheckpointPath(d.retriever).build())));
        c.add(new Case("Reranker/GetModelInfo", "(valid; the service answers)", Status.Code.OK, null, () -> rr.getModelInfo(GetModelInfoRequest.getDefaultInstance())));
        // Trainer
        JobSpec.Builder spec = JobSpec.newBuilder().setKind(JobKind.JOB_KIND_INSTRUCTION).setPreset("tiny")
                .setData(DataSpec.newBuilder().setDatasetDir("data/synth-tiny"));
        c.add(new Case("Trainer/StartJob", "kind unspecified", invalid, "spec.kind:", () -> t.startJob(StartJobRequest.newBuilder()
                .setSpec(spec.clone().setKind(JobKind.JOB_KIND_UNSPECIFIED)).build())));
        c.add(new Case("Trainer/StartJob", "job_id ../x", invalid, "job_id:", () -> t.startJob(StartJobRequest.newBuilder().setJobId("../x").setSpec(spec).build())));
        c.add(new Case("Trainer/StartJob", "max_steps = -3", invalid, "spec.hyper.max_steps:", () -> t.startJob(StartJobRequest.newBuilder()
                .setSpec(spec.clone().setHyper(HyperParameters.newBuilder().setMaxSteps(-3))).build())));
        c.add(new Case("Trainer/StartJob", "dataset_dir ../../etc", invalid, "spec.data.dataset_dir:", () -> t.startJob(StartJobRequest.newBuilder()
                .setSpec(spec.clone().setData(DataSpec.newBuilder().setDatasetDir("../../etc"))).build())));
        c.add(new Case("Trainer/StartJob", "learning_rate = -1", invalid, "spec.hyper.learning_rate:", () -> t.startJob(StartJobRequest.newBuilder()
                .setSpec(spec.clone().setHyper(HyperParameters.newBuilder().setLearningRate(-1))).build())));
        c.add(new Case("Trainer/GetJob", "unknown job", Status.Code.NOT_FOUND, "job_id: no job 'nope'", () -> t.getJob(GetJobRequest.newBuilder().setJobId("nope").build())));
        c.add(new Case("Trainer/CancelJob", "unknown job", Status.Code.NOT_FOUND, "job_id: no job 'nope'", () -> t.cancelJob(CancelJobRequest.newBuilder().setJobId("nope").build())));
        c.add(new Case("Trainer/WatchJob", "unknown job", Status.Code.NOT_FOUND, "job_id: no job 'nope'",
                () -> t.watchJob(WatchJobRequest.newBuilder().setJobId("nope").build()).hasNext()));
        c.add(new Case("Trainer/ListJobs", "page_size = -1", invalid, "page_size:", () -> t.listJobs(ListJobsRequest.newBuilder().setPageSize(-1).build())));
        // Credentials
        c.add(new Case("Retrieval/Search", "no token", Status.Code.UNAUTHENTICATED, "missing credentials",
                () -> RetrievalGrpc.newBlockingStub(d.channel("orchestrator", noToken)).search(search().build())));
        c.add(new Case("Retrieval/Search", "unknown token", Status.Code.UNAUTHENTICATED, "unknown or revoked token",
                () -> RetrievalGrpc.newBlockingStub(d.channel("orchestrator", wrongToken)).search(search().build())));
        c.add(new Case("Retrieval/DropCollection", "token with scope search only", Status.Code.PERMISSION_DENIED, "lacks scope 'admin'",
                () -> RetrievalGrpc.newBlockingStub(d.channel("orchestrator", reader)).dropCollection(DropCollectionRequest.newBuilder()
                        .setName(collection).build())));
        c.add(new Case("Trainer/StartJob", "token with scope search only", Status.Code.PERMISSION_DENIED, "lacks scope 'train'",
                () -> TrainerGrpc.newBlockingStub(d.channel("trainer", reader)).startJob(StartJobRequest.newBuilder().setSpec(spec).build())));
        c.add(new Case("Embedder/LoadModel", "token with scope search only", Status.Code.PERMISSION_DENIED, "lacks scope 'admin'",
                () -> EmbedderGrpc.newBlockingStub(d.channel("embedder", reader)).loadModel(LoadModelRequest.newBuilder()
                        .setCheckpointPath(d.retriever).build())));
        c.add(new Case("Embedder/Embed", "TLS without a client certificate", Status.Code.UNAUTHENTICATED, "client certificate",
                () -> EmbedderGrpc.newBlockingStub(d.channel("embedder", noCertificate)).embed(embed(text("x")))));
        c.add(new Case("Reranker/Rerank", "plaintext to the TLS port", Status.Code.UNAVAILABLE, null,
                () -> RerankerGrpc.newBlockingStub(d.channel("reranker", ClientSecurity.PLAIN.withToken(d.admin.token())))
                        .withDeadlineAfter(5, TimeUnit.SECONDS).rerank(RerankRequest.newBuilder().setQuery(query(text("x"))).addCandidates(text("y")).build())));
        return c;
    }

    private static EmbedRequest embed(Content candidate) {
        return EmbedRequest.newBuilder().addItems(EmbedItem.newBuilder().setCandidate(candidate)).build();
    }

    private void upsert(Candidate candidate) throws Exception {
        Upserts.send(RetrievalGrpc.newStub(d.channel("orchestrator", d.admin)),
                List.of(UpsertRequest.newBuilder().setCollection(collection).addCandidates(candidate).build()));
    }

    private void embedStream(EmbedStreamRequest request) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<EmbedStreamRequest> in = EmbedderGrpc.newStub(d.channel("embedder", d.admin)).embedStream(new StreamObserver<EmbedStreamResponse>() {
            public void onNext(EmbedStreamResponse v) {
                if (v.hasError()) {
                    done.completeExceptionally(Status.fromCodeValue(v.getError().getCode()).withDescription(v.getError().getMessage()).asRuntimeException());
                }
            }

            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            public void onCompleted() {
                done.complete(null);
            }
        });
        in.onNext(request);
        in.onCompleted();
        unwrap(done);
    }

    private static void unwrap(CompletableFuture<?> f) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }
}
