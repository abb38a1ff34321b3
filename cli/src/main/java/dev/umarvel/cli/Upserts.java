package dev.umarvel.cli;

import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.UpsertRequest;
import dev.umarvel.api.v1.UpsertResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** One Upsert stream: the chunks sent in order, the orchestrator's answer awaited; a refusal is thrown as its StatusRuntimeException. */
public final class Upserts {

    private Upserts() {
    }

    public static UpsertResponse send(RetrievalGrpc.RetrievalStub stub, List<UpsertRequest> chunks) throws Exception {
        CompletableFuture<UpsertResponse> done = new CompletableFuture<>();
        StreamObserver<UpsertRequest> in = stub.upsert(new StreamObserver<>() {
            UpsertResponse last;

            @Override
            public void onNext(UpsertResponse v) {
                last = v;
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(last);
            }
        });
        chunks.forEach(in::onNext);
        in.onCompleted();
        try {
            return done.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }
}
