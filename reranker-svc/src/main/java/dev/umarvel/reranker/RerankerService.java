package dev.umarvel.reranker;

import dev.umarvel.api.v1.GetModelInfoRequest;
import dev.umarvel.api.v1.GetModelInfoResponse;
import dev.umarvel.api.v1.LoadModelRequest;
import dev.umarvel.api.v1.LoadModelResponse;
import dev.umarvel.api.v1.RerankRequest;
import dev.umarvel.api.v1.RerankResponse;
import dev.umarvel.api.v1.RerankScore;
import dev.umarvel.api.v1.RerankerGrpc;
import dev.umarvel.model.Item;
import dev.umarvel.model.RerankPair;
import dev.umarvel.serving.GrpcCalls;
import dev.umarvel.serving.Inputs;
import dev.umarvel.serving.ModelServer;
import dev.umarvel.serving.ServiceEngine;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The Reranker gRPC edge: one query and its candidates become (query, candidate) pairs in the
 * batcher; P(Yes) and both logits come back in candidate order; errors as reranker.proto lists them.
 */
@GrpcService
public class RerankerService extends RerankerGrpc.RerankerImplBase {

    @Inject
    RerankerEngine engine;

    @Override
    @Blocking
    public void rerank(RerankRequest request, StreamObserver<RerankResponse> response) {
        GrpcCalls.unary(engine.get().metrics(), "Rerank", response, () -> rerank(request));
    }

    private CompletableFuture<RerankResponse> rerank(RerankRequest request) throws Exception {
        ServiceEngine<RerankPair, RerankerEngine.Scored> engine = this.engine.get();
        Inputs inputs = engine.inputs(); // FAILED_PRECONDITION before anything else when no model is loaded
        boolean truncate = Inputs.truncates(request.getTruncation(), request.getTruncationValue(), engine.truncateByDefault());
        if (!request.hasQuery()) {
            throw new Inputs.InvalidInputException("query", "missing");
        }
        Item query = inputs.query(request.getQuery(), "query");
        inputs.checkCount(request.getCandidatesCount(), "candidates");
        List<RerankPair> pairs = new ArrayList<>(request.getCandidatesCount());
        for (int i = 0; i < request.getCandidatesCount(); i++) {
            pairs.add(new RerankPair(query, inputs.candidate(request.getCandidates(i), "candidates[" + i + "]")));
        }
        ModelServer<RerankPair, RerankerEngine.Scored> server = engine.server();
        return server.submit(pairs, truncate, GrpcCalls.deadline(), GrpcCalls.cancelled(), i -> "candidates[" + i + "].text")
                .thenApply(RerankerService::answer);
    }

    private static RerankResponse answer(ModelServer.Answer<RerankerEngine.Scored> a) {
        RerankResponse.Builder out = RerankResponse.newBuilder().setModelVersion(a.version());
        for (RerankerEngine.Scored s : a.results()) {
            out.addScores(RerankScore.newBuilder().setPYes(s.probabilityYes()).setLogitYes(s.logitYes()).setLogitNo(s.logitNo())
                    .setTruncated(s.truncated()));
        }
        return out.addAllTimings(GrpcCalls.timings(a)).build();
    }

    @Override
    public void getModelInfo(GetModelInfoRequest request, StreamObserver<GetModelInfoResponse> response) {
        GrpcCalls.modelInfo(engine.get(), response);
    }

    @Override
    @Blocking
    public void loadModel(LoadModelRequest request, StreamObserver<LoadModelResponse> response) {
        GrpcCalls.loadModel(engine.get(), request, response, false);
    }
}
