package dev.umarvel.embedder;

import dev.umarvel.api.v1.EmbedRequest;
import dev.umarvel.api.v1.EmbedResponse;
import dev.umarvel.api.v1.EmbedStreamRequest;
import dev.umarvel.api.v1.EmbedStreamResponse;
import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.Embedding;
import dev.umarvel.api.v1.GetModelInfoRequest;
import dev.umarvel.api.v1.GetModelInfoResponse;
import dev.umarvel.api.v1.LoadModelRequest;
import dev.umarvel.api.v1.LoadModelResponse;
import dev.umarvel.model.Item;
import dev.umarvel.serving.GrpcCalls;
import dev.umarvel.serving.Inputs;
import dev.umarvel.serving.ModelServer;
import dev.umarvel.serving.ServiceEngine;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Embedder gRPC edge: protobuf items to model inputs (validated), the batcher's answers back as
 * embeddings, errors as embedder.proto lists them. Handlers run on worker threads for decoding and
 * return as soon as the items are queued; the batcher's thread sends the answer.
 */
@GrpcService
public class EmbedderService extends EmbedderGrpc.EmbedderImplBase {

    /** Batches one stream may have outstanding; more end the stream with RESOURCE_EXHAUSTED. */
    static final int STREAM_WINDOW = 64;

    @Inject
    EmbedderEngine engine;

    @Override
    @Blocking
    public void embed(EmbedRequest request, StreamObserver<EmbedResponse> response) {
        GrpcCalls.unary(engine.get().metrics(), "Embed", response, () -> embed(request));
    }

    private CompletableFuture<EmbedResponse> embed(EmbedRequest request) throws Exception {
        ServiceEngine<Item, EmbedderEngine.Embedded> engine = this.engine.get();
        ModelServer<Item, EmbedderEngine.Embedded> server = engine.server();
        Inputs inputs = engine.inputs(); // FAILED_PRECONDITION before anything else when no model is loaded
        boolean truncate = Inputs.truncates(request.getTruncation(), request.getTruncationValue(), engine.truncateByDefault());
        inputs.checkCount(request.getItemsCount(), "items");
        List<Item> items = new ArrayList<>(request.getItemsCount());
        for (int i = 0; i < request.getItemsCount(); i++) {
            items.add(inputs.item(request.getItems(i), "items[" + i + "]"));
        }
        return server.submit(items, request.getModelVersion(), truncate, GrpcCalls.deadline(), GrpcCalls.cancelled(), i -> "items[" + i + "]." + textField(request, i))
                .thenApply(EmbedderService::answer);
    }

    private static String textField(EmbedRequest request, int i) {
        return request.getItems(i).hasQuery() ? "query.content.text" : "candidate.text";
    }

    private static EmbedResponse answer(ModelServer.Answer<EmbedderEngine.Embedded> a) {
        EmbedResponse.Builder out = EmbedResponse.newBuilder().setModelVersion(a.version());
        for (EmbedderEngine.Embedded e : a.results()) {
            Embedding.Builder b = Embedding.newBuilder().setTokens(e.tokens()).setTruncated(e.truncated());
            for (float v : e.vector()) {
                b.addValues(v);
            }
            out.addEmbeddings(b);
        }
        return out.addAllTimings(GrpcCalls.timings(a)).build();
    }

    @Override
    public StreamObserver<EmbedStreamRequest> embedStream(StreamObserver<EmbedStreamResponse> response) {
        ConcurrentHashMap<Long, Boolean> outstanding = new ConcurrentHashMap<>();
        Object sending = new Object();
        return new StreamObserver<>() {
            private volatile boolean ended;
            private boolean halfClosed; // guarded by sending

            @Override
            public void onNext(EmbedStreamRequest message) {
                if (ended) {
                    return;
                }
                long id = message.getRequestId();
                if (outstanding.putIfAbsent(id, Boolean.TRUE) != null) {
                    end(Status.INVALID_ARGUMENT.withDescription("request_id: " + id + " is still outstanding"));
                    return;
                }
                if (outstanding.size() > STREAM_WINDOW) {
                    end(Status.RESOURCE_EXHAUSTED.withDescription("more than " + STREAM_WINDOW + " batches outstanding: read the answers"));
                    return;
                }
                CompletableFuture<EmbedResponse> answer;
                try {
                    answer = embed(message.getBatch());
                } catch (Exception e) {
                    answer = CompletableFuture.failedFuture(e);
                }
                answer.whenComplete((result, error) -> {
                    EmbedStreamResponse.Builder b = EmbedStreamResponse.newBuilder().setRequestId(id);
                    if (error == null) {
                        b.setResult(result);
                    } else {
                        Status s = GrpcCalls.status(error).getStatus();
                        b.setError(com.google.rpc.Status.newBuilder().setCode(s.getCode().value())
                                .setMessage(s.getDescription() == null ? "" : s.getDescription()));
                    }
                    synchronized (sending) {
                        outstanding.remove(id);
                        if (!ended) {
                            response.onNext(b.build());
                            if (halfClosed && outstanding.isEmpty()) {
                                ended = true;
                                response.onCompleted();
                            }
                        }
                    }
                });
            }

            private void end(Status status) {
                synchronized (sending) {
                    if (!ended) {
                        ended = true;
                        response.onError(status.asRuntimeException());
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                ended = true;
            }

            @Override
            public void onCompleted() {
                synchronized (sending) { // answer what is outstanding, then close
                    halfClosed = true;
                    if (!ended && outstanding.isEmpty()) {
                        ended = true;
                        response.onCompleted();
                    }
                }
            }
        };
    }

    @Override
    public void getModelInfo(GetModelInfoRequest request, StreamObserver<GetModelInfoResponse> response) {
        GrpcCalls.modelInfo(engine.get(), response);
    }

    @Override
    @Blocking
    public void loadModel(LoadModelRequest request, StreamObserver<LoadModelResponse> response) {
        GrpcCalls.loadModel(engine.get(), request, response, true);
    }
}
