package dev.umarvel.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.CancelJobRequest;
import dev.umarvel.api.v1.DataSpec;
import dev.umarvel.api.v1.DistillOptions;
import dev.umarvel.api.v1.EvaluationOptions;
import dev.umarvel.api.v1.GetJobRequest;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobEvent;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.JobSpec;
import dev.umarvel.api.v1.JobState;
import dev.umarvel.api.v1.ListCheckpointsRequest;
import dev.umarvel.api.v1.ListJobsRequest;
import dev.umarvel.api.v1.MiningOptions;
import dev.umarvel.api.v1.StartJobRequest;
import dev.umarvel.api.v1.TrainerGrpc;
import dev.umarvel.api.v1.WatchJobRequest;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.quarkus.test.common.QuarkusTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Trainer contract through real gRPC stubs against the running service. */
@QuarkusTest
@QuarkusTestResource(FreshStore.class)
class TrainerServiceTest {

    @GrpcClient("trainer")
    TrainerGrpc.TrainerBlockingStub trainer;

    @Inject
    TrainerConfig config;

    Path STORE;

    @BeforeEach
    void data() throws Exception {
        STORE = config.store().toAbsolutePath();
        synchronized (TrainerServiceTest.class) {
            if (!Files.exists(STORE.resolve("data/tiny/synth_manifest.json"))) {
                SynthGenerator.generate(STORE.resolve("data/tiny"), SynthSize.TINY, 21, s -> {});
            }
        }
    }

    static JobSpec.Builder spec(JobKind kind, String init, long steps) {
        return JobSpec.newBuilder().setKind(kind).setPreset("tiny").setInitCheckpoint(init).setSeed(3)
                .setData(DataSpec.newBuilder().setDatasetDir("data/tiny"))
                .setHyper(HyperParameters.newBuilder().setMaxSteps(steps).setLoraRank(8).setCheckpointEverySteps(2));
    }

    /** Starts a job and follows its event stream to the end; returns the final job. */
    Job runToEnd(String id, JobSpec spec, List<JobEvent> events) {
        trainer.startJob(StartJobRequest.newBuilder().setJobId(id).setSpec(spec).build());
        trainer.watchJob(WatchJobRequest.newBuilder().setJobId(id).build()).forEachRemaining(events::add);
        return trainer.getJob(GetJobRequest.newBuilder().setJobId(id).build());
    }

    String succeeded(String id, JobSpec spec) {
        List<JobEvent> events = new ArrayList<>();
        Job job = runToEnd(id, spec, events);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, job.getState(), job.getReason());
        JobEvent last = events.get(events.size() - 1);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, last.getState().getState(), "the stream ends with the terminal state");
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, events.get(i).getSequence());
        }
        return job.getOutput();
    }

    @Test
    void everyKindRunsAndChains() throws Exception {
        String base = succeeded("t-pretrain", spec(JobKind.JOB_KIND_PRETRAIN, "", 3).build());
        String s1 = succeeded("t-text", spec(JobKind.JOB_KIND_TEXT_ALIGN, base, 3).build());
        String s2 = succeeded("t-cross", spec(JobKind.JOB_KIND_CROSS_MODAL, s1, 3).build());
        String s3 = succeeded("t-instruction", spec(JobKind.JOB_KIND_INSTRUCTION, s2, 3).build());
        String mined = succeeded("t-mine", spec(JobKind.JOB_KIND_MINE_HARD_NEGATIVES, s3, 3)
                .setMining(MiningOptions.newBuilder().setTopN(20).setK(3).setSimilarityThreshold(0.99)).build());
        String s4 = succeeded("t-hard", spec(JobKind.JOB_KIND_HARD_NEGATIVE, s3, 3)
                .setData(DataSpec.newBuilder().setDatasetDir("data/tiny").setHardNegatives(mined)).build());
        String reranker = succeeded("t-reranker", spec(JobKind.JOB_KIND_RERANKER, base, 3).setInitFromBase(true)
                .setData(DataSpec.newBuilder().setDatasetDir("data/tiny").setHardNegatives(mined)).build());
        DistillOptions distill = DistillOptions.newBuilder().setListSize(6).setRerankerCheckpoint(reranker).build();
        String distilled = succeeded("t-distill", spec(JobKind.JOB_KIND_DISTILL, s4, 3).setDistill(distill).build());
        succeeded("t-continue", spec(JobKind.JOB_KIND_CONTINUE_HARD, s4, 3).setDistill(distill)
                .setData(DataSpec.newBuilder().setDatasetDir("data/tiny").setTeacherScores("jobs/t-distill/teacher_scores.jsonl")).build());
        List<JobEvent> events = new ArrayList<>();
        Job eval = runToEnd("t-eval", spec(JobKind.JOB_KIND_EVALUATE, distilled, 3)
                .setEvaluation(EvaluationOptions.newBuilder().setRerankerCheckpoint(reranker)).build(), events);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, eval.getState(), eval.getReason());
        List<JobEvent> evaluations = events.stream().filter(JobEvent::hasEvaluation).toList();
        assertEquals(2, evaluations.size(), "single and cascade");
        assertEquals(16, evaluations.get(0).getEvaluation().getTasksCount());
        assertTrue(evaluations.get(1).getEvaluation().hasMeanGlobal());

        for (String checkpoint : List.of(base, s1, s2, s3, s4, reranker, distilled)) {
            try (Inference model = Inference.load(STORE.resolve(checkpoint))) {
                assertEquals(32, model.embed(List.of(Item.candidate("a red circle", null)), true).vectors()[0].length);
            }
        }
        var finals = trainer.listCheckpoints(ListCheckpointsRequest.newBuilder().setFinalOnly(true).build()).getCheckpointsList();
        assertTrue(finals.stream().anyMatch(c -> c.getPath().equals(s3) && c.getStage().equals("INSTRUCTION") && c.getParent().equals(s2)),
                finals.toString());
        assertEquals(List.of("jobs/t-hard/final"), trainer.listCheckpoints(ListCheckpointsRequest.newBuilder().setJobId("t-hard")
                .setFinalOnly(true).build()).getCheckpointsList().stream().map(c -> c.getPath()).toList());

        // a late watcher gets the whole history again
        List<JobEvent> replay = new ArrayList<>();
        trainer.watchJob(WatchJobRequest.newBuilder().setJobId("t-instruction").setAfterSequence(1).build()).forEachRemaining(replay::add);
        assertEquals(2, replay.get(0).getSequence());
        assertTrue(replay.stream().anyMatch(JobEvent::hasProgress) && replay.stream().anyMatch(JobEvent::hasCheckpoint));
    }

    @Test
    void cancelStopsARunningJobAndAFullQueueRefusesMore() throws Exception {
        String base = "jobs/q-base/final";
        if (!Files.exists(STORE.resolve(base))) {
            succeeded("q-base", spec(JobKind.JOB_KIND_PRETRAIN, "", 2).build());
        }
        trainer.startJob(StartJobRequest.newBuilder().setJobId("q-long").setSpec(spec(JobKind.JOB_KIND_INSTRUCTION, base, 100_000)).build());
        // the worker has taken q-long off the queue once it says RUNNING: the queue is empty again
        try (io.grpc.Context.CancellableContext watching = io.grpc.Context.current().withCancellation()) {
            watching.run(() -> {
                var events = trainer.watchJob(WatchJobRequest.newBuilder().setJobId("q-long").build());
                while (events.next().getState().getState() != JobState.JOB_STATE_RUNNING) {
                    // QUEUED first
                }
            });
        }
        trainer.startJob(StartJobRequest.newBuilder().setJobId("q-wait1").setSpec(spec(JobKind.JOB_KIND_INSTRUCTION, base, 3)).build());
        trainer.startJob(StartJobRequest.newBuilder().setJobId("q-wait2").setSpec(spec(JobKind.JOB_KIND_INSTRUCTION, base, 3)).build());
        StatusRuntimeException full = assertThrows(StatusRuntimeException.class, () -> trainer.startJob(StartJobRequest.newBuilder()
                .setJobId("q-wait3").setSpec(spec(JobKind.JOB_KIND_INSTRUCTION, base, 3)).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());

        assertEquals(JobState.JOB_STATE_CANCELLED, trainer.cancelJob(CancelJobRequest.newBuilder().setJobId("q-wait2").build()).getState(),
                "a queued job is cancelled at once");
        // wait until the long job has made progress, then cancel it
        List<JobEvent> events = new ArrayList<>();
        var stream = trainer.watchJob(WatchJobRequest.newBuilder().setJobId("q-long").build());
        while (stream.hasNext()) {
            JobEvent e = stream.next();
            events.add(e);
            if (e.hasProgress() && e.getProgress().getStep() >= 4 && events.stream().noneMatch(x -> x.hasLog() && x.getLog().equals("cancel sent"))) {
                trainer.cancelJob(CancelJobRequest.newBuilder().setJobId("q-long").build());
                events.add(JobEvent.newBuilder().setLog("cancel sent").build());
            }
        }
        JobEvent last = events.get(events.size() - 1);
        assertEquals(JobState.JOB_STATE_CANCELLED, last.getState().getState());
        Job cancelled = trainer.getJob(GetJobRequest.newBuilder().setJobId("q-long").build());
        assertTrue(cancelled.getProgress().getStep() < 100, "stopped within a step of the request, at " + cancelled.getProgress().getStep());
        assertTrue(!cancelled.getLastCheckpoint().isEmpty(), "its periodic checkpoint stays");
        List<JobEvent> rest = new ArrayList<>();
        trainer.watchJob(WatchJobRequest.newBuilder().setJobId("q-wait1").build()).forEachRemaining(rest::add);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, rest.get(rest.size() - 1).getState().getState(), "the queue moves on");

        var page = trainer.listJobs(ListJobsRequest.newBuilder().setPageSize(2).addStates(JobState.JOB_STATE_CANCELLED).build());
        assertEquals(2, page.getJobsCount());
        assertTrue(page.getJobsList().stream().allMatch(j -> j.getState() == JobState.JOB_STATE_CANCELLED));
    }

    @Test
    void invalidSpecsAreRefusedWithTheFieldAtFault() throws Exception {
        expect(Status.Code.INVALID_ARGUMENT, "spec.kind: must be set", JobSpec.newBuilder().setData(DataSpec.newBuilder().setDatasetDir("data/tiny")));
        expect(Status.Code.INVALID_ARGUMENT, "spec.kind: unknown value 99", spec(JobKind.JOB_KIND_PRETRAIN, "", 1).setKindValue(99));
        expect(Status.Code.INVALID_ARGUMENT, "spec.hyper.learning_rate: must be in (0, 1], got 3.0",
                spec(JobKind.JOB_KIND_PRETRAIN, "", 1).setHyper(HyperParameters.newBuilder().setLearningRate(3)));
        expect(Status.Code.INVALID_ARGUMENT, "spec.hyper.batch_size", spec(JobKind.JOB_KIND_INSTRUCTION, "x", 1)
                .setHyper(HyperParameters.newBuilder().setBatchSize(1)));
        expect(Status.Code.INVALID_ARGUMENT, "spec.hyper.lr_scaling: unknown value 7", spec(JobKind.JOB_KIND_PRETRAIN, "", 1)
                .setHyper(HyperParameters.newBuilder().setLrScalingValue(7)));
        expect(Status.Code.INVALID_ARGUMENT, "spec.hyper.reranker_loss: unknown value 5", spec(JobKind.JOB_KIND_PRETRAIN, "", 1)
                .setHyper(HyperParameters.newBuilder().setRerankerLossValue(5)));
        expect(Status.Code.INVALID_ARGUMENT, "spec.preset: unknown preset 'huge'", spec(JobKind.JOB_KIND_PRETRAIN, "", 1).setPreset("huge"));
        expect(Status.Code.INVALID_ARGUMENT, "spec.preset: 'minilm' is an imported encoder, not pre-trained here: umarvel model import "
                + "writes its checkpoint, and its first job is the alignment stage (init_checkpoint)",
                spec(JobKind.JOB_KIND_PRETRAIN, "", 1).setPreset("minilm"));
        expect(Status.Code.INVALID_ARGUMENT, "spec.data.dataset_dir: '../../etc' escapes the store", spec(JobKind.JOB_KIND_PRETRAIN, "", 1)
                .setData(DataSpec.newBuilder().setDatasetDir("../../etc")));
        expect(Status.Code.INVALID_ARGUMENT, "spec.data.dataset_dir: '/etc' escapes the store", spec(JobKind.JOB_KIND_PRETRAIN, "", 1)
                .setData(DataSpec.newBuilder().setDatasetDir("/etc")));
        Path outside = STORE.getParent().resolve("outside-the-trainer-store");
        if (!Files.exists(outside.resolve("synth_manifest.json"))) { // a dataset the job could read, were the link not refused
            SynthGenerator.generate(outside, SynthSize.TINY, 21, s -> {});
        }
        Files.deleteIfExists(STORE.resolve("data/linked"));
        Files.createSymbolicLink(STORE.resolve("data/linked"), outside);
        expect(Status.Code.INVALID_ARGUMENT, "spec.data.dataset_dir: 'data/linked' leads out of the store through a link",
                spec(JobKind.JOB_KIND_PRETRAIN, "", 1).setData(DataSpec.newBuilder().setDatasetDir("data/linked")));
        expect(Status.Code.INVALID_ARGUMENT, "spec.init_checkpoint: required for INSTRUCTION", spec(JobKind.JOB_KIND_INSTRUCTION, "", 1));
        expect(Status.Code.INVALID_ARGUMENT, "spec.evaluation.tasks[0]: 'coco' is not a task name of the form dataset_taskN", spec(JobKind.JOB_KIND_PRETRAIN, "", 1)
                .setEvaluation(EvaluationOptions.newBuilder().addTasks("coco")));
        expect(Status.Code.INVALID_ARGUMENT, "spec.hyper.batch_size: 64 lists of 50 candidates are 3200 candidate sequences per step, "
                + "over this trainer's umarvel.trainer.max-list-sequences of 1024", spec(JobKind.JOB_KIND_DISTILL, "x", 1)
                .setHyper(HyperParameters.newBuilder().setBatchSize(64)).setDistill(DistillOptions.newBuilder().setListSize(50)));
        expect(Status.Code.INVALID_ARGUMENT, "spec.mining.k: must be >= 1", spec(JobKind.JOB_KIND_MINE_HARD_NEGATIVES, "data/tiny", 1)
                .setMining(MiningOptions.newBuilder().setK(0)));
        expect(Status.Code.INVALID_ARGUMENT, "spec.data.upsample[webq]: not an M-BEIR dataset: expected one of [visualnews, fashion200k, webqa,",
                spec(JobKind.JOB_KIND_INSTRUCTION, "x", 1).setData(DataSpec.newBuilder().setDatasetDir("data/tiny").putUpsample("webq", 3)));
        expect(Status.Code.INVALID_ARGUMENT, "spec.data.upsample[webqa]: must be 1..100 times, got 0",
                spec(JobKind.JOB_KIND_INSTRUCTION, "x", 1).setData(DataSpec.newBuilder().setDatasetDir("data/tiny").putUpsample("webqa", 0)));
        expect(Status.Code.INVALID_ARGUMENT, "spec.mining.copy_cosine: must be in [0, 1) (0: off), got 1.0",
                spec(JobKind.JOB_KIND_MINE_HARD_NEGATIVES, "data/tiny", 1).setMining(MiningOptions.newBuilder().setCopyCosine(1)));
        expect(Status.Code.INVALID_ARGUMENT, "spec.evaluation.queries_per_task: must be 0 (all) or more, got -1",
                spec(JobKind.JOB_KIND_EVALUATE, "data/tiny", 1).setEvaluation(EvaluationOptions.newBuilder().setQueriesPerTask(-1)));
        expect(Status.Code.INVALID_ARGUMENT, "spec.evaluation.fusion_sweep[1]: must be 0 or more (Infinity: the reranker's order), got -1.0",
                spec(JobKind.JOB_KIND_EVALUATE, "data/tiny", 1).setEvaluation(EvaluationOptions.newBuilder().addFusionSweep(0.3).addFusionSweep(-1)));
        expect(Status.Code.NOT_FOUND, "data/none", spec(JobKind.JOB_KIND_PRETRAIN, "", 1).setData(DataSpec.newBuilder().setDatasetDir("data/none")));
        expect(Status.Code.NOT_FOUND, "jobs/none/final", spec(JobKind.JOB_KIND_INSTRUCTION, "jobs/none/final", 1));
        // a checkpoint whose bytes do not match its manifest
        Path broken = STORE.resolve("broken");
        if (!Files.exists(broken)) {
            succeeded("b-base", spec(JobKind.JOB_KIND_PRETRAIN, "", 1).setOutputDir("broken-job").build());
            Files.move(STORE.resolve("broken-job/final"), broken);
            Files.writeString(broken.resolve("tokenizer.json"), "{}");
        }
        expect(Status.Code.FAILED_PRECONDITION, "spec.init_checkpoint", spec(JobKind.JOB_KIND_INSTRUCTION, "broken", 1));
        StatusRuntimeException badId = assertThrows(StatusRuntimeException.class, () -> trainer.startJob(StartJobRequest.newBuilder()
                .setJobId("Bad Id").setSpec(spec(JobKind.JOB_KIND_PRETRAIN, "", 1)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, badId.getStatus().getCode());
        assertTrue(badId.getStatus().getDescription().startsWith("job_id:"));
        succeeded("dup", spec(JobKind.JOB_KIND_PRETRAIN, "", 1).build());
        StatusRuntimeException dup = assertThrows(StatusRuntimeException.class, () -> trainer.startJob(StartJobRequest.newBuilder()
                .setJobId("dup").setSpec(spec(JobKind.JOB_KIND_PRETRAIN, "", 1)).build()));
        assertEquals(Status.Code.ALREADY_EXISTS, dup.getStatus().getCode());
        assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class,
                () -> trainer.getJob(GetJobRequest.newBuilder().setJobId("nobody").build())).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> trainer.getJob(GetJobRequest.getDefaultInstance())).getStatus().getCode());
        assertEquals(Status.Code.OUT_OF_RANGE, assertThrows(StatusRuntimeException.class,
                () -> trainer.watchJob(WatchJobRequest.newBuilder().setJobId("dup").setAfterSequence(999).build()).next())
                .getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> trainer.listCheckpoints(ListCheckpointsRequest.newBuilder().setUnder("../..").build())).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> trainer.listJobs(ListJobsRequest.newBuilder().setPageToken("x").build())).getStatus().getCode());
    }

    @Test
    void healthAndMetricsAreServed() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:8081/q/health/ready")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("trainer-worker"), ready.body());
        var metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:8081/q/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        for (String name : List.of("umarvel_trainer_jobs{state=\"JOB_STATE_RUNNING\"", "umarvel_trainer_loss", "umarvel_trainer_temperature",
                "umarvel_trainer_examples_per_second")) {
            assertTrue(metrics.body().contains(name), name + " missing from /q/metrics");
        }
    }

    private void expect(Status.Code code, String message, JobSpec.Builder spec) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> trainer.startJob(StartJobRequest.newBuilder().setSpec(spec).build()));
        assertEquals(code, e.getStatus().getCode(), e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains(message), e.getStatus().getDescription());
    }
}
