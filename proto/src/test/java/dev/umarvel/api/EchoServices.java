package dev.umarvel.api;

import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import dev.umarvel.api.v1.*;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * Minimal implementations of the four services that answer from what they received, so a round
 * trip proves every field travelled both ways through the generated stubs.
 */
final class EchoServices {

    private EchoServices() {}

    static ModelInfo model(String path, ModelKind kind) {
        return ModelInfo.newBuilder().setName("umarvel-tiny").setVersion("abc123def456").setCheckpointPath(path)
                .setKind(kind).setDimension(64).setPooling(Pooling.POOLING_MEAN)
                .setAttention(AttentionMode.ATTENTION_MODE_BIDIRECTIONAL).setInstructionMasking(true).build();
    }

    /** Embeds each item as [text length, image byte count, 1 if query else 0]. */
    static final class Embedder extends EmbedderGrpc.EmbedderImplBase {
        static Embedding embed(EmbedItem item) {
            Content c = item.hasQuery() ? item.getQuery().getContent() : item.getCandidate();
            return Embedding.newBuilder().addValues(c.getText().length()).addValues(c.getImage().getData().size())
                    .addValues(item.hasQuery() ? 1 : 0).setTokens(c.getText().length()).build();
        }

        static EmbedResponse answer(EmbedRequest request) {
            EmbedResponse.Builder out = EmbedResponse.newBuilder().setModelVersion("abc123def456");
            request.getItemsList().forEach(i -> out.addEmbeddings(embed(i)));
            return out.addTimings(StageTiming.newBuilder().setStage("total").setMicros(1)).build();
        }

        @Override
        public void embed(EmbedRequest request, StreamObserver<EmbedResponse> out) {
            out.onNext(answer(request));
            out.onCompleted();
        }

        @Override
        public StreamObserver<EmbedStreamRequest> embedStream(StreamObserver<EmbedStreamResponse> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(EmbedStreamRequest request) {
                    EmbedStreamResponse.Builder response = EmbedStreamResponse.newBuilder().setRequestId(request.getRequestId());
                    if (request.getBatch().getItemsCount() == 0) {
                        response.setError(com.google.rpc.Status.newBuilder().setCode(Code.INVALID_ARGUMENT_VALUE)
                                .setMessage("batch.items: empty"));
                    } else {
                        response.setResult(answer(request.getBatch()));
                    }
                    out.onNext(response.build());
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {
                    out.onCompleted();
                }
            };
        }

        @Override
        public void getModelInfo(GetModelInfoRequest request, StreamObserver<GetModelInfoResponse> out) {
            out.onNext(GetModelInfoResponse.newBuilder().setModel(model("checkpoints/live", ModelKind.MODEL_KIND_EMBEDDER)).build());
            out.onCompleted();
        }

        @Override
        public void loadModel(LoadModelRequest request, StreamObserver<LoadModelResponse> out) {
            out.onNext(LoadModelResponse.newBuilder().setPrevious(model("checkpoints/live", ModelKind.MODEL_KIND_EMBEDDER))
                    .setCurrent(model(request.getCheckpointPath(), ModelKind.MODEL_KIND_EMBEDDER)).build());
            out.onCompleted();
        }
    }

    /** Scores each candidate 1 / (1 + text length). */
    static final class Reranker extends RerankerGrpc.RerankerImplBase {
        @Override
        public void rerank(RerankRequest request, StreamObserver<RerankResponse> out) {
            RerankResponse.Builder response = RerankResponse.newBuilder().setModelVersion("fedcba987654");
            for (Content c : request.getCandidatesList()) {
                response.addScores(RerankScore.newBuilder().setPYes(1f / (1 + c.getText().length())));
            }
            out.onNext(response.build());
            out.onCompleted();
        }

        @Override
        public void getModelInfo(GetModelInfoRequest request, StreamObserver<GetModelInfoResponse> out) {
            out.onNext(GetModelInfoResponse.newBuilder().setModel(model("checkpoints/reranker", ModelKind.MODEL_KIND_RERANKER)).build());
            out.onCompleted();
        }

        @Override
        public void loadModel(LoadModelRequest request, StreamObserver<LoadModelResponse> out) {
            out.onNext(LoadModelResponse.newBuilder().setCurrent(model(request.getCheckpointPath(), ModelKind.MODEL_KIND_RERANKER)).build());
            out.onCompleted();
        }
    }

    /** Accepts any job as queued and reports a fixed three-event history for it. */
    static final class Trainer extends TrainerGrpc.TrainerImplBase {
        private final List<Job> jobs = new ArrayList<>();

        @Override
        public void startJob(StartJobRequest request, StreamObserver<Job> out) {
            Job job = Job.newBuilder().setJobId(request.getJobId().isEmpty() ? "job-1" : request.getJobId())
                    .setSpec(request.getSpec()).setState(JobState.JOB_STATE_QUEUED).build();
            jobs.add(job);
            out.onNext(job);
            out.onCompleted();
        }

        @Override
        public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> out) {
            String id = request.getJobId();
            out.onNext(JobEvent.newBuilder().setJobId(id).setSequence(1)
                    .setState(JobStateChange.newBuilder().setState(JobState.JOB_STATE_RUNNING)).build());
            out.onNext(JobEvent.newBuilder().setJobId(id).setSequence(2)
                    .setProgress(TrainingProgress.newBuilder().setStep(10).setLoss(1.5).setTemperature(0.05)).build());
            out.onNext(JobEvent.newBuilder().setJobId(id).setSequence(3)
                    .setState(JobStateChange.newBuilder().setState(JobState.JOB_STATE_SUCCEEDED).setReason("done")).build());
            out.onCompleted();
        }

        @Override
        public void getJob(GetJobRequest request, StreamObserver<Job> out) {
            out.onNext(find(request.getJobId()));
            out.onCompleted();
        }

        @Override
        public void cancelJob(CancelJobRequest request, StreamObserver<Job> out) {
            out.onNext(find(request.getJobId()).toBuilder().setState(JobState.JOB_STATE_CANCELLED)
                    .setReason("cancelled by request").build());
            out.onCompleted();
        }

        @Override
        public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> out) {
            out.onNext(ListJobsResponse.newBuilder().addAllJobs(jobs).build());
            out.onCompleted();
        }

        @Override
        public void listCheckpoints(ListCheckpointsRequest request, StreamObserver<ListCheckpointsResponse> out) {
            out.onNext(ListCheckpointsResponse.newBuilder().addCheckpoints(CheckpointInfo.newBuilder()
                    .setPath(request.getUnder() + "/step-200").setStage("INSTRUCTION").setStep(200)).build());
            out.onCompleted();
        }

        private Job find(String id) {
            return jobs.stream().filter(j -> j.getJobId().equals(id)).findFirst().orElseThrow();
        }
    }

    /** Keeps collections in a list; Search returns the query text's words as dids. */
    static final class Retrieval extends RetrievalGrpc.RetrievalImplBase {
        private final List<Collection> collections = new ArrayList<>();

        @Override
        public void createCollection(CreateCollectionRequest request, StreamObserver<Collection> out) {
            Collection c = Collection.newBuilder().setName(request.getName()).setBackend(request.getBackend())
                    .setHnsw(request.getHnsw()).setIndexVersion(1).setPhysicalName(request.getName() + "_v1").build();
            collections.add(c);
            out.onNext(c);
            out.onCompleted();
        }

        @Override
        public void describeCollection(DescribeCollectionRequest request, StreamObserver<Collection> out) {
            out.onNext(collections.stream().filter(c -> c.getName().equals(request.getName())).findFirst().orElseThrow());
            out.onCompleted();
        }

        @Override
        public void listCollections(ListCollectionsRequest request, StreamObserver<ListCollectionsResponse> out) {
            out.onNext(ListCollectionsResponse.newBuilder().addAllCollections(collections).build());
            out.onCompleted();
        }

        @Override
        public void dropCollection(DropCollectionRequest request, StreamObserver<DropCollectionResponse> out) {
            out.onNext(DropCollectionResponse.newBuilder()
                    .setDropped(collections.removeIf(c -> c.getName().equals(request.getName()))).build());
            out.onCompleted();
        }

        @Override
        public StreamObserver<UpsertRequest> upsert(StreamObserver<UpsertResponse> out) {
            return new StreamObserver<>() {
                long count;

                @Override
                public void onNext(UpsertRequest chunk) {
                    count += chunk.getCandidatesCount();
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {
                    out.onNext(UpsertResponse.newBuilder().setUpserted(count).setCreated(count).build());
                    out.onCompleted();
                }
            };
        }

        @Override
        public void delete(DeleteRequest request, StreamObserver<DeleteResponse> out) {
            out.onNext(DeleteResponse.newBuilder().setDeleted(request.getDidsCount()).build());
            out.onCompleted();
        }

        @Override
        public void importPool(ImportPoolRequest request, StreamObserver<ImportPoolProgress> out) {
            out.onNext(ImportPoolProgress.newBuilder().setLinesRead(50).setTotalLines(100).build());
            out.onNext(ImportPoolProgress.newBuilder().setLinesRead(100).setTotalLines(100).setUpserted(100)
                    .setDone(true).build());
            out.onCompleted();
        }

        @Override
        public void search(SearchRequest request, StreamObserver<SearchResponse> out) {
            SearchResponse.Builder response = SearchResponse.newBuilder().setModeRun(request.getMode());
            String[] words = request.getQuery().getContent().getText().split(" ");
            for (int i = 0; i < Math.min(words.length, request.getTopK()); i++) {
                response.addHits(Hit.newBuilder().setDid(words[i]).setRank(i + 1).setRecallRank(i + 1)
                        .setRecallScore(1f - i / 10f).setRerankScore(0.5f).setScore(1f - i / 10f));
            }
            out.onNext(response.build());
            out.onCompleted();
        }

        @Override
        public void distill(DistillRequest request, StreamObserver<DistillEvent> out) {
            for (DistillPhase phase : DistillPhase.values()) {
                if (phase != DistillPhase.DISTILL_PHASE_UNSPECIFIED && phase != DistillPhase.UNRECOGNIZED) {
                    out.onNext(DistillEvent.newBuilder().setRunId("run-1").setPhase(phase)
                            .setStatus(PhaseStatus.PHASE_STATUS_DONE).setFraction(1).build());
                }
            }
            out.onCompleted();
        }
    }

    static Image png(int bytes) {
        return Image.newBuilder().setData(ByteString.copyFrom(new byte[bytes])).setMimeType("image/png").build();
    }
}
