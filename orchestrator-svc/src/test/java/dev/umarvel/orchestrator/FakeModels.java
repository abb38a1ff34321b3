package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.EmbedRequest;
import dev.umarvel.api.v1.EmbedResponse;
import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.Embedding;
import dev.umarvel.api.v1.GetModelInfoRequest;
import dev.umarvel.api.v1.GetJobRequest;
import dev.umarvel.api.v1.GetModelInfoResponse;
import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobEvent;
import dev.umarvel.api.v1.JobState;
import dev.umarvel.api.v1.JobStateChange;
import dev.umarvel.api.v1.LoadModelRequest;
import dev.umarvel.api.v1.LoadModelResponse;
import dev.umarvel.api.v1.ModelInfo;
import dev.umarvel.api.v1.StartJobRequest;
import dev.umarvel.api.v1.TrainerGrpc;
import dev.umarvel.api.v1.TrainingProgress;
import dev.umarvel.api.v1.WatchJobRequest;
import dev.umarvel.api.v1.RerankRequest;
import dev.umarvel.api.v1.RerankResponse;
import dev.umarvel.api.v1.RerankScore;
import dev.umarvel.api.v1.RerankerGrpc;
import dev.umarvel.index.FakeMilvus;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Embedder, reranker and trainer services with known answers, served over real gRPC for the
 * orchestrator's tests (plus a fake Milvus): an item's vector is the normalised sum of its words'
 * seeded random vectors (the same for every model version), P(Yes) is the Jaccard overlap of query
 * and candidate words. The embedder holds a model in service and one retained, as the real one;
 * LoadModel names the new version after the checkpoint path ({@code ckpt/live} is {@code fake-v1}'s). The trainer succeeds each job at once
 * (output {@code jobs/<id>/final}) unless told to fail the next one. Tests switch the model version,
 * take the reranker down or make it slow.
 */
public class FakeModels implements QuarkusTestResourceLifecycleManager {

    static final int DIMENSION = 32;
    static volatile String version = "fake-v1";
    static volatile String retained = "";
    static volatile String checkpoint = "ckpt/live";
    /** When set, query embeds wait for it (a search holds its admission slot), each counting down {@link #queriesHeld}. */
    static volatile java.util.concurrent.CountDownLatch queryGate;
    static volatile java.util.concurrent.CountDownLatch queriesHeld = new java.util.concurrent.CountDownLatch(0);
    /** When set, candidate embeds by a model other than fake-v1 (a Distill's re-index) wait for it. */
    static volatile java.util.concurrent.CountDownLatch reindexGate;
    static volatile boolean failNextJob;
    static final java.util.List<StartJobRequest> jobsStarted = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final Map<String, Job> jobs = new java.util.concurrent.ConcurrentHashMap<>();
    static volatile boolean rerankerDown;
    static volatile long rerankerDelayMillis;
    static final AtomicInteger rerankCalls = new AtomicInteger();
    /** Candidates every rerank call so far has scored. */
    static final AtomicInteger rerankedCandidates = new AtomicInteger();
    /** The authorization metadata of the last call each fake model service received ("" for none). */
    static final Map<String, String> authorization = new java.util.concurrent.ConcurrentHashMap<>();
    static FakeMilvus milvus;
    private Server embedder;
    private Server reranker;
    private Server trainer;

    static Set<String> words(Content c) {
        Set<String> w = new HashSet<>();
        for (String t : c.getText().toLowerCase().split("[^a-z0-9]+")) {
            if (!t.isEmpty()) {
                w.add(t);
            }
        }
        if (c.hasImage()) {
            w.add("image:" + (c.getImage().hasData() ? c.getImage().getData().hashCode() : c.getImage().getStorePath()));
        }
        return w;
    }

    static float[] vector(Content c) {
        double[] sum = new double[DIMENSION];
        for (String w : words(c)) {
            Random r = new Random(w.hashCode());
            for (int i = 0; i < DIMENSION; i++) {
                sum[i] += r.nextGaussian();
            }
        }
        double norm = 0;
        for (double x : sum) {
            norm += x * x;
        }
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) (sum[i] / Math.sqrt(norm));
        }
        return v;
    }

    static float pYes(Content query, Content candidate) {
        Set<String> q = words(query);
        Set<String> c = words(candidate);
        Set<String> both = new HashSet<>(q);
        both.retainAll(c);
        Set<String> either = new HashSet<>(q);
        either.addAll(c);
        return either.isEmpty() ? 0 : (float) both.size() / either.size();
    }

    static final class Embedder extends EmbedderGrpc.EmbedderImplBase {
        @Override
        public void getModelInfo(GetModelInfoRequest request, StreamObserver<GetModelInfoResponse> out) {
            out.onNext(GetModelInfoResponse.newBuilder().setModel(info()).build());
            out.onCompleted();
        }

        static ModelInfo info() {
            return ModelInfo.newBuilder().setVersion(version).setDimension(DIMENSION).setCheckpointPath(checkpoint).build();
        }

        @Override
        public void loadModel(LoadModelRequest request, StreamObserver<LoadModelResponse> out) {
            ModelInfo previous = info();
            retained = request.getRetainPrevious() ? version : "";
            checkpoint = request.getCheckpointPath();
            version = checkpoint.equals("ckpt/live") ? "fake-v1" : "fake-" + checkpoint.replaceAll("[^A-Za-z0-9]", "-"); // as hashes do
            out.onNext(LoadModelResponse.newBuilder().setPrevious(previous).setCurrent(info()).build());
            out.onCompleted();
        }

        @Override
        public void embed(EmbedRequest request, StreamObserver<EmbedResponse> out) {
            String asked = request.getModelVersion();
            if (!asked.isEmpty() && !asked.equals(version) && !asked.equals(retained)) {
                out.onError(Status.FAILED_PRECONDITION.withDescription("model_version: '" + asked + "' is neither in service (" + version
                        + ") nor retained").asRuntimeException());
                return;
            }
            String answering = asked.isEmpty() ? version : asked;
            boolean queries = request.getItemsList().stream().anyMatch(EmbedItem::hasQuery);
            java.util.concurrent.CountDownLatch gate = queries ? queryGate : answering.equals("fake-v1") ? null : reindexGate;
            if (gate != null) {
                if (queries) {
                    queriesHeld.countDown();
                }
                try {
                    gate.await(2, java.util.concurrent.TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            EmbedResponse.Builder b = EmbedResponse.newBuilder().setModelVersion(answering);
            for (int i = 0; i < request.getItemsCount(); i++) {
                EmbedItem item = request.getItems(i);
                Content c = item.hasQuery() ? item.getQuery().getContent() : item.getCandidate();
                if (c.getText().toLowerCase().startsWith("undecodable")) { // as the real embedder names a bad input
                    out.onError(Status.INVALID_ARGUMENT.withDescription("items[" + i + "].candidate.text: refused by the fake")
                            .asRuntimeException());
                    return;
                }
                Embedding.Builder e = Embedding.newBuilder();
                for (float x : vector(c)) {
                    e.addValues(x);
                }
                b.addEmbeddings(e);
            }
            out.onNext(b.build());
            out.onCompleted();
        }
    }

    static final class Reranker extends RerankerGrpc.RerankerImplBase {
        @Override
        public void rerank(RerankRequest request, StreamObserver<RerankResponse> out) {
            rerankCalls.incrementAndGet();
            rerankedCandidates.addAndGet(request.getCandidatesCount());
            if (rerankerDown) {
                out.onError(Status.UNAVAILABLE.withDescription("the fake reranker is down").asRuntimeException());
                return;
            }
            try {
                Thread.sleep(rerankerDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            RerankResponse.Builder b = RerankResponse.newBuilder().setModelVersion("fake-reranker");
            for (Content c : request.getCandidatesList()) {
                b.addScores(RerankScore.newBuilder().setPYes(pYes(request.getQuery().getContent(), c)));
            }
            out.onNext(b.build());
            out.onCompleted();
        }
    }

    static final class Trainer extends TrainerGrpc.TrainerImplBase {
        @Override
        public void startJob(StartJobRequest request, StreamObserver<Job> out) {
            if (jobs.containsKey(request.getJobId())) {
                out.onError(Status.ALREADY_EXISTS.withDescription("job_id: " + request.getJobId() + " exists").asRuntimeException());
                return;
            }
            jobsStarted.add(request);
            boolean fail = failNextJob;
            failNextJob = false;
            Job job = Job.newBuilder().setJobId(request.getJobId()).setSpec(request.getSpec())
                    .setState(fail ? JobState.JOB_STATE_FAILED : JobState.JOB_STATE_SUCCEEDED).setReason(fail ? "the fake trainer failed" : "")
                    .setOutput(fail ? "" : "jobs/" + request.getJobId() + "/final").build();
            jobs.put(job.getJobId(), job);
            out.onNext(job);
            out.onCompleted();
        }

        @Override
        public void getJob(GetJobRequest request, StreamObserver<Job> out) {
            Job job = jobs.get(request.getJobId());
            if (job == null) {
                out.onError(Status.NOT_FOUND.withDescription("job_id: no job " + request.getJobId()).asRuntimeException());
                return;
            }
            out.onNext(job);
            out.onCompleted();
        }

        @Override
        public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> out) {
            Job job = jobs.get(request.getJobId());
            for (int step = 1; step <= 3 && job.getState() == JobState.JOB_STATE_SUCCEEDED; step++) {
                out.onNext(JobEvent.newBuilder().setJobId(job.getJobId()).setSequence(step)
                        .setProgress(TrainingProgress.newBuilder().setStep(step).setTotalSteps(3).setLoss(1.0 / step)).build());
            }
            out.onNext(JobEvent.newBuilder().setJobId(job.getJobId()).setSequence(4)
                    .setState(JobStateChange.newBuilder().setState(job.getState()).setReason(job.getReason())).build());
            out.onCompleted();
        }
    }

    private static io.grpc.ServerServiceDefinition recordingAuthorization(io.grpc.BindableService service) {
        io.grpc.Metadata.Key<String> key = io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER);
        return io.grpc.ServerInterceptors.intercept(service, new io.grpc.ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call, io.grpc.Metadata headers,
                    io.grpc.ServerCallHandler<Q, R> next) {
                String h = headers.get(key);
                authorization.put(call.getMethodDescriptor().getServiceName(), h == null ? "" : h);
                return next.startCall(call, headers);
            }
        });
    }

    @Override
    public Map<String, String> start() {
        try {
            embedder = ServerBuilder.forPort(0).addService(recordingAuthorization(new Embedder())).build().start();
            reranker = ServerBuilder.forPort(0).addService(recordingAuthorization(new Reranker())).build().start();
            trainer = ServerBuilder.forPort(0).addService(recordingAuthorization(new Trainer())).build().start();
            milvus = new FakeMilvus();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        // in test mode Quarkus points gRPC clients at the app itself unless a test port is given
        return Map.of("umarvel.models.embedder", "localhost:" + embedder.getPort(),
                "umarvel.models.reranker", "localhost:" + reranker.getPort(),
                "quarkus.grpc.clients.trainer.test-port", String.valueOf(trainer.getPort()),
                "umarvel.milvus.uri", milvus.uri());
    }

    @Override
    public void stop() {
        embedder.shutdownNow();
        reranker.shutdownNow();
        trainer.shutdownNow();
        try {
            milvus.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
