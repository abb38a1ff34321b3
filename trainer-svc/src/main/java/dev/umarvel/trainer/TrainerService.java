package dev.umarvel.trainer;

import dev.umarvel.api.v1.CancelJobRequest;
import dev.umarvel.api.v1.GetJobRequest;
import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobEvent;
import dev.umarvel.api.v1.JobState;
import dev.umarvel.api.v1.ListCheckpointsRequest;
import dev.umarvel.api.v1.ListCheckpointsResponse;
import dev.umarvel.api.v1.ListJobsRequest;
import dev.umarvel.api.v1.ListJobsResponse;
import dev.umarvel.api.v1.StartJobRequest;
import dev.umarvel.api.v1.TrainerGrpc;
import dev.umarvel.api.v1.WatchJobRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.Consumer;

/** The Trainer gRPC edge: requests to the job manager, answers and errors back (codes as trainer.proto lists them). */
@GrpcService
public class TrainerService extends TrainerGrpc.TrainerImplBase {

    @Inject
    JobManager jobs;

    @Inject
    CheckpointCatalog catalog;

    @Override
    @Blocking
    public void startJob(StartJobRequest request, StreamObserver<Job> response) {
        respond(response, () -> jobs.start(request.getSpec(), request.getJobId()));
    }

    @Override
    @Blocking
    public void getJob(GetJobRequest request, StreamObserver<Job> response) {
        respond(response, () -> jobs.get(request.getJobId()).job());
    }

    @Override
    @Blocking
    public void cancelJob(CancelJobRequest request, StreamObserver<Job> response) {
        respond(response, () -> jobs.cancel(request.getJobId()));
    }

    @Override
    @Blocking
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> response) {
        respond(response, () -> {
            if (request.getPageSize() < 0 || request.getPageSize() > 1000) {
                throw Status.INVALID_ARGUMENT.withDescription("page_size: must be in 0..1000, got " + request.getPageSize())
                        .asRuntimeException();
            }
            for (int i = 0; i < request.getStatesCount(); i++) {
                JobState s = request.getStates(i);
                if (s == JobState.UNRECOGNIZED || s == JobState.JOB_STATE_UNSPECIFIED) {
                    throw Status.INVALID_ARGUMENT.withDescription("states[" + i + "]: unknown value " + request.getStatesValue(i))
                            .asRuntimeException();
                }
            }
            int offset;
            try {
                offset = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
            } catch (NumberFormatException e) {
                throw Status.INVALID_ARGUMENT.withDescription("page_token: not a token this server issued").asRuntimeException();
            }
            int size = request.getPageSize() == 0 ? 50 : request.getPageSize();
            List<Job> all = jobs.list().stream()
                    .filter(j -> request.getStatesCount() == 0 || request.getStatesList().contains(j.getState())).toList();
            if (offset < 0 || offset > all.size()) {
                throw Status.INVALID_ARGUMENT.withDescription("page_token: not a token this server issued").asRuntimeException();
            }
            int end = Math.min(all.size(), offset + size);
            return ListJobsResponse.newBuilder().addAllJobs(all.subList(offset, end))
                    .setNextPageToken(end < all.size() ? Integer.toString(end) : "").build();
        });
    }

    @Override
    @Blocking
    public void listCheckpoints(ListCheckpointsRequest request, StreamObserver<ListCheckpointsResponse> response) {
        respond(response, () -> catalog.list(request));
    }

    @Override
    @Blocking
    public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> response) {
        JobRecord record;
        try {
            record = jobs.get(request.getJobId());
            if (request.getAfterSequence() > record.eventCount()) {
                throw Status.OUT_OF_RANGE.withDescription("after_sequence: " + request.getAfterSequence() + " is beyond the last event "
                        + record.eventCount()).asRuntimeException();
            }
        } catch (RuntimeException e) {
            response.onError(e);
            return;
        }
        ServerCallStreamObserver<JobEvent> call = (ServerCallStreamObserver<JobEvent>) response;
        Consumer<JobEvent> watcher = new Consumer<>() {
            private boolean done;

            @Override
            public synchronized void accept(JobEvent e) {
                if (done || call.isCancelled()) {
                    return;
                }
                call.onNext(e);
                if (e.hasState() && isTerminal(e.getState().getState())) {
                    done = true;
                    record.unwatch(this);
                    call.onCompleted();
                }
            }
        };
        call.setOnCancelHandler(() -> record.unwatch(watcher));
        boolean live = record.watch(request.getAfterSequence(), watcher);
        if (!live) {
            synchronized (watcher) {
                call.onCompleted();
            }
        }
    }

    private static boolean isTerminal(JobState s) {
        return s == JobState.JOB_STATE_SUCCEEDED || s == JobState.JOB_STATE_FAILED || s == JobState.JOB_STATE_CANCELLED;
    }

    private static <T> void respond(StreamObserver<T> response, java.util.function.Supplier<T> call) {
        try {
            response.onNext(call.get());
            response.onCompleted();
        } catch (io.grpc.StatusRuntimeException e) {
            response.onError(e);
        } catch (RuntimeException e) {
            response.onError(Status.INTERNAL.withDescription(e.getMessage()).withCause(e).asRuntimeException());
        }
    }
}
