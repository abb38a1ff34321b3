package dev.umarvel.orchestrator;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
        try {
            T answer = body.run();
            metrics.request(rpc, Status.Code.OK, System.nanoTime() - start);
            out.onNext(answer);
            out.onCompleted();
        } catch (Exception e) {
            StatusRuntimeException s = status(e);
            metrics.request(rpc, s.getStatus().getCode(), System.nanoTime() - start);
            out.onError(s);
        }
    }

    /** A server-streaming RPC: the body sends its messages; completion or the mapped error follows. */
    static <T> void stream(OrchestratorMetrics metrics, String rpc, StreamObserver<T> out, StreamBody body) {
        unary(metrics, rpc, new StreamObserver<T>() {
            @Override
            public void onNext(T ignored) {
                out.onCompleted();
            }

            @Override
            public void onError(Throwable t) {
                out.onError(t);
            }

            @Override
            public void onCompleted() {}
        }, () -> {
            body.run();
            return null;
        });
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
