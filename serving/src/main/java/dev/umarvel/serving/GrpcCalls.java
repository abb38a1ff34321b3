package dev.umarvel.serving;

import dev.umarvel.api.v1.GetModelInfoResponse;
import dev.umarvel.api.v1.LoadModelRequest;
import dev.umarvel.api.v1.LoadModelResponse;
import dev.umarvel.api.v1.ModelInfo;
import dev.umarvel.api.v1.StageTiming;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The gRPC edge's plumbing: errors to statuses, one latency sample per RPC, the caller's deadline and cancellation. */
public final class GrpcCalls {

    private GrpcCalls() {}

    /** Work that answers later, or throws what the contract maps to a status. */
    @FunctionalInterface
    public interface Call<T> {
        CompletableFuture<T> start() throws Exception;
    }

    /** Runs a unary call: the answer or the status, and the latency recorded under its status code. */
    public static <T> void unary(ServingMetrics metrics, String rpc, StreamObserver<T> response, Call<T> call) {
        long start = System.nanoTime();
        CompletableFuture<T> answer;
        try {
            answer = call.start();
        } catch (Exception e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((value, error) -> {
            if (error == null) {
                metrics.request(rpc, Status.Code.OK, System.nanoTime() - start);
                response.onNext(value);
                response.onCompleted();
            } else {
                StatusRuntimeException s = status(error);
                metrics.request(rpc, s.getStatus().getCode(), System.nanoTime() - start);
                response.onError(s);
            }
        });
    }

    /** GetModelInfo, the same on every model service. */
    public static void modelInfo(ServiceEngine<?, ?> engine, StreamObserver<GetModelInfoResponse> response) {
        unary(engine.metrics(), "GetModelInfo", response,
                () -> CompletableFuture.completedFuture(GetModelInfoResponse.newBuilder().setModel(engine.server().info()).build()));
    }

    /** LoadModel, the same on every model service: the swap, and both models' descriptions. */
    /** @param retains whether the service answers requests by model version, so that {@code retain_previous} means something */
    public static void loadModel(ServiceEngine<?, ?> engine, LoadModelRequest request, StreamObserver<LoadModelResponse> response,
            boolean retains) {
        unary(engine.metrics(), "LoadModel", response, () -> {
            ModelInfo[] swap = engine.server().load(request.getCheckpointPath(), retains && request.getRetainPrevious());
            LoadModelResponse.Builder b = LoadModelResponse.newBuilder().setCurrent(swap[1]);
            if (swap[0] != null) {
                b.setPrevious(swap[0]);
            }
            return CompletableFuture.completedFuture(b.build());
        });
    }

    /** The stages of an answer's time: waiting for its batch, the model, the whole call. */
    public static List<StageTiming> timings(ModelServer.Answer<?> a) {
        return List.of(timing("queue", a.totalNanos() - a.computeNanos()), timing("compute", a.computeNanos()),
                timing("total", a.totalNanos()));
    }

    private static StageTiming timing(String stage, long nanos) {
        return StageTiming.newBuilder().setStage(stage).setMicros(nanos / 1000).build();
    }

    /** The status the contract gives an error. */
    public static StatusRuntimeException status(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        if (e instanceof Inputs.InvalidInputException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
        }
        if (e instanceof Inputs.MissingFileException) {
            return Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException();
        }
        return Status.INTERNAL.withDescription(String.valueOf(e)).withCause(e).asRuntimeException();
    }

    /** The current call's deadline as a {@link System#nanoTime()} instant ({@code Long.MAX_VALUE}: none). */
    public static long deadline() {
        Deadline d = Context.current().getDeadline();
        return d == null ? Long.MAX_VALUE : System.nanoTime() + d.timeRemaining(TimeUnit.NANOSECONDS);
    }

    /** Whether the current call's client went away (captured now, read later from the batcher). */
    public static BooleanSupplier cancelled() {
        Context context = Context.current();
        return context::isCancelled;
    }
}
