package dev.umarvel.orchestrator;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Runs an RPC's body: its answer, or the status its failure maps to, with the latency recorded under that status. */
final class Calls {

    private Calls() {}

    @FunctionalInterface
    interface Body<T> {
        T run() throws Exception;
    }

    @FunctionalInterface
    interface StreamBody {
        void run() throws Exception;
    }

    static <T> void unary(OrchestratorMetrics metrics, String rpc, StreamObserver<T> out, Body<T> body) {
        long start = System.nanoTime();
        T answer;
        try {
            answer = body.run();
        } catch (Exception e) {
            StatusRuntimeException s = status(e);
            out.onError(s);
            metrics.request(rpc, s.getStatus().getCode(), System.nanoTime() - start);
            return;
        }
        try {
            out.onNext(answer);
            out.onCompleted();
        } finally {
            metrics.request(rpc, Status.Code.OK, System.nanoTime() - start); // after the answer: a call counted has answered
        }
    }

    /**
     * A server-streaming RPC: the body sends its messages; completion or the mapped error follows, unless the call is
     * known to be cancelled (a Distill run outlives its caller). What guarantees that nothing reaches a stream the caller
     * has reset is the transport's guard (dev.umarvel.security.WritesOnTheEventLoop: Vert.x's bridge does not always
     * report a reset as a cancel); this spares writing an end nobody reads.
     */
    static <T> void stream(OrchestratorMetrics metrics, String rpc, StreamObserver<T> out, StreamBody body) {
        unary(metrics, rpc, new StreamObserver<T>() {
            @Override
            public void onNext(T ignored) {
                if (!cancelled(out)) {
                    out.onCompleted();
                }
            }

            @Override
            public void onError(Throwable t) {
                if (!cancelled(out)) {
                    out.onError(t);
                }
            }

            @Override
            public void onCompleted() {}
        }, () -> {
            body.run();
            return null;
        });
    }

    private static boolean cancelled(StreamObserver<?> out) {
        return out instanceof ServerCallStreamObserver<?> call && call.isCancelled();
    }

    /** The contract's status of a failure: statuses pass, bad arguments are INVALID_ARGUMENT, storage trouble UNAVAILABLE. */
    static StatusRuntimeException status(Throwable e) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        if (e instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            return Status.UNAVAILABLE.withDescription("storage: " + e.getMessage()).withCause(e).asRuntimeException();
        }
        return Status.INTERNAL.withDescription(String.valueOf(e)).withCause(e).asRuntimeException();
    }
}
