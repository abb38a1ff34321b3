package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.EmbedRequest;
import dev.umarvel.api.v1.EmbedResponse;
import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.GetModelInfoRequest;
import dev.umarvel.api.v1.LoadModelRequest;
import dev.umarvel.api.v1.LoadModelResponse;
import dev.umarvel.api.v1.ModelInfo;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RerankRequest;
import dev.umarvel.api.v1.RerankResponse;
import dev.umarvel.api.v1.RerankerGrpc;
import dev.umarvel.api.v1.TrainerGrpc;
import io.grpc.Context;
import io.grpc.Deadline;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedder, reranker and trainer services, called over gRPC with the caller's deadline passed on (a
 * search that must answer in 200 ms does not let its embedding call wait a second).
 */
@ApplicationScoped
public class ModelClients {

    @GrpcClient("embedder")
    EmbedderGrpc.EmbedderBlockingStub embedder;

    @GrpcClient("reranker")
    RerankerGrpc.RerankerBlockingStub reranker;

    @GrpcClient("trainer")
    TrainerGrpc.TrainerBlockingStub trainer;

    /** The embedder's loaded model (FAILED_PRECONDITION from it when none is). */
    public ModelInfo embedderModel() {
        return withCallerDeadline(embedder).getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel();
    }

    /** Vectors of the model {@code modelVersion} (a collection's: in service, or retained during a re-index). */
    public EmbedResponse embed(List<EmbedItem> items, String modelVersion) {
        return withCallerDeadline(embedder).embed(EmbedRequest.newBuilder().addAllItems(items).setModelVersion(modelVersion).build());
    }

    /** The {@code i}-th vector of an embedder's answer. */
    static float[] vector(EmbedResponse r, int i) {
        float[] v = new float[r.getEmbeddings(i).getValuesCount()];
        for (int j = 0; j < v.length; j++) {
            v[j] = r.getEmbeddings(i).getValues(j);
        }
        return v;
    }

    /** Swaps the embedder's model; with {@code retainPrevious} the old one keeps answering requests that name its version. */
    public LoadModelResponse loadEmbedder(String checkpointPath, boolean retainPrevious) {
        return embedder.loadModel(LoadModelRequest.newBuilder().setCheckpointPath(checkpointPath).setRetainPrevious(retainPrevious).build());
    }

    /** The trainer (its calls are long: no caller deadline is passed on). */
    public TrainerGrpc.TrainerBlockingStub trainer() {
        return trainer;
    }

    /** P(Yes) for each candidate; {@code timeoutNanos} caps the call below the caller's own deadline. */
    public RerankResponse rerank(Query query, List<Content> candidates, long timeoutNanos) {
        RerankerGrpc.RerankerBlockingStub stub = withCallerDeadline(reranker);
        Deadline cap = Deadline.after(timeoutNanos, TimeUnit.NANOSECONDS);
        if (stub.getCallOptions().getDeadline() == null || cap.isBefore(stub.getCallOptions().getDeadline())) {
            stub = stub.withDeadline(cap);
        }
        return stub.rerank(RerankRequest.newBuilder().setQuery(query).addAllCandidates(candidates).build());
    }

    private static <S extends io.grpc.stub.AbstractStub<S>> S withCallerDeadline(S stub) {
        Deadline d = Context.current().getDeadline();
        return d == null ? stub : stub.withDeadline(d);
    }
}
