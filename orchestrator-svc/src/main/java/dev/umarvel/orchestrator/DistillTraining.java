package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.DataSpec;
import dev.umarvel.api.v1.DistillEvent;
import dev.umarvel.api.v1.DistillOptions;
import dev.umarvel.api.v1.DistillPhase;
import dev.umarvel.api.v1.DistillRequest;
import dev.umarvel.api.v1.GetJobRequest;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobEvent;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.JobSpec;
import dev.umarvel.api.v1.JobState;
import dev.umarvel.api.v1.ModelInfo;
import dev.umarvel.api.v1.PhaseStatus;
import dev.umarvel.api.v1.StartJobRequest;
import dev.umarvel.api.v1.TrainerGrpc;
import dev.umarvel.api.v1.WatchJobRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * The TRAINING phase: a DISTILL job on trainer-svc from the live collection's checkpoint, on the
 * teacher file and candidate pool of the run, its events relayed. The job id derives from the run
 * id, so a resumed run finds its job again (still running, or done) instead of starting another.
 */
final class DistillTraining {

    private static final DistillPhase PHASE = DistillPhase.DISTILL_PHASE_TRAINING;

    private DistillTraining() {}

    static DistillState train(DistillRequest r, DistillState state, String liveVersion, ModelClients models, Path store, Path dataset,
            Consumer<DistillEvent.Builder> send, Consumer<DistillState> save) {
        if (!state.checkpoint().isEmpty()) {
            send.accept(Distiller.event(PHASE, PhaseStatus.PHASE_STATUS_SKIPPED, "trained by " + state.jobId() + ": " + state.checkpoint())
                    .setFraction(1));
            return state;
        }
        TrainerGrpc.TrainerBlockingStub trainer = models.trainer();
        Job job = state.jobId().isEmpty() ? null : trainer.getJob(GetJobRequest.newBuilder().setJobId(state.jobId()).build());
        if (job == null || job.getState() == JobState.JOB_STATE_FAILED || job.getState() == JobState.JOB_STATE_CANCELLED) {
            ModelInfo serving = models.embedderModel();
            if (!serving.getVersion().equals(liveVersion)) {
                throw Status.FAILED_PRECONDITION.withDescription("model: the embedder serves " + serving.getVersion() + " but collection "
                        + state.collection() + " holds vectors of " + liveVersion + "; load that model first").asRuntimeException();
            }
            String id = "distill-" + state.runId() + (job == null ? "" : "-" + System.currentTimeMillis() % 100000);
            job = start(trainer, id, spec(r, state, serving.getCheckpointPath(), store, dataset));
            state = state.withJob(job.getJobId(), "");
            save.accept(state);
        }
        send.accept(Distiller.event(PHASE, PhaseStatus.PHASE_STATUS_STARTED, "DISTILL job " + job.getJobId() + " on the trainer"));
        Iterator<JobEvent> events = trainer.watchJob(WatchJobRequest.newBuilder().setJobId(job.getJobId()).build());
        while (events.hasNext()) {
            JobEvent e = events.next();
            DistillEvent.Builder relay = Distiller.event(PHASE, PhaseStatus.PHASE_STATUS_PROGRESS, "job " + e.getJobId()).setTraining(e);
            if (e.hasProgress() && e.getProgress().getTotalSteps() > 0) {
                relay.setFraction((double) e.getProgress().getStep() / e.getProgress().getTotalSteps());
            }
            send.accept(relay);
        }
        job = trainer.getJob(GetJobRequest.newBuilder().setJobId(job.getJobId()).build());
        if (job.getState() != JobState.JOB_STATE_SUCCEEDED) {
            throw Status.ABORTED.withDescription("training: job " + job.getJobId() + " ended " + job.getState() + ": " + job.getReason()
                    + " (re-run with this run_id to train again)").asRuntimeException();
        }
        state = state.withJob(job.getJobId(), job.getOutput());
        save.accept(state);
        send.accept(Distiller.event(PHASE, PhaseStatus.PHASE_STATUS_DONE, "trained " + job.getOutput()).setFraction(1));
        return state;
    }

    private static Job start(TrainerGrpc.TrainerBlockingStub trainer, String id, JobSpec spec) {
        try {
            return trainer.startJob(StartJobRequest.newBuilder().setJobId(id).setSpec(spec).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) { // started before a crash that lost the run's record of it
                return trainer.getJob(GetJobRequest.newBuilder().setJobId(id).build());
            }
            if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) { // the trainer names "spec.hyper..."; the caller sent "hyper..."
                throw Status.INVALID_ARGUMENT.withDescription(e.getStatus().getDescription().replaceFirst("^spec\\.", ""))
                        .asRuntimeException();
            }
            throw e;
        }
    }

    private static JobSpec spec(DistillRequest r, DistillState state, String initCheckpoint, Path store, Path dataset) {
        DataSpec.Builder data = DataSpec.newBuilder().setDatasetDir(store.relativize(dataset).toString())
                .setTrainPool(dataset.relativize(store.resolve(state.poolFile())).toString()).setTeacherScores(state.teacherFile())
                .setTrainQueries(r.getTrainQueries()).setInstructions(r.getInstructions()).setSkipValidation(true);
        int list = r.getRecallK() == 0 ? 50 : r.getRecallK();
        // a step embeds batch x list candidates: unless asked, as many lists as keep it near the trainer's default bound of 1024
        HyperParameters hyper = r.getHyper().hasBatchSize() ? r.getHyper()
                : r.getHyper().toBuilder().setBatchSize(Math.max(2, Math.min(64, 1000 / list))).build();
        return JobSpec.newBuilder().setKind(JobKind.JOB_KIND_DISTILL).setDisplayName("distill " + state.collection() + " (" + state.runId()
                + ")").setData(data).setInitCheckpoint(initCheckpoint).setPreset(r.getPreset()).setHyper(hyper)
                .setDistill(DistillOptions.newBuilder().setListSize(list)).setSeed(r.getSeed()).build();
    }
}
