package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.GetJobRequest;
import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobEvent;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.JobSpec;
import dev.umarvel.api.v1.JobState;
import dev.umarvel.api.v1.StartJobRequest;
import dev.umarvel.api.v1.Trainable;
import dev.umarvel.api.v1.TrainerGrpc;
import dev.umarvel.api.v1.WatchJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The quickstart's chain on an imported encoder: the alignment stage replaces pre-training, text and cross-modal stages,
 * trains the vision side only, and is what the instruction stage and the reranker start from.
 */
class TrainerChainBackboneTest {

    /** A trainer whose every job succeeds at once, its output named after it; it records what it was asked. */
    static final class RecordingTrainer extends TrainerGrpc.TrainerImplBase {
        final List<StartJobRequest> started = new ArrayList<>();
        final Map<String, Job> jobs = new ConcurrentHashMap<>();

        @Override
        public synchronized void startJob(StartJobRequest request, StreamObserver<Job> response) {
            started.add(request);
            Job job = Job.newBuilder().setJobId(request.getJobId()).setSpec(request.getSpec().toBuilder()
                    .setOutputDir("jobs/" + request.getJobId())).setState(JobState.JOB_STATE_SUCCEEDED)
                    .setOutput("jobs/" + request.getJobId() + "/final").build();
            jobs.put(request.getJobId(), job);
            response.onNext(job.toBuilder().setState(JobState.JOB_STATE_QUEUED).build());
            response.onCompleted();
        }

        @Override
        public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> response) {
            response.onCompleted();
        }

        @Override
        public void getJob(GetJobRequest request, StreamObserver<Job> response) {
            response.onNext(jobs.get(request.getJobId()));
            response.onCompleted();
        }
    }

    private final RecordingTrainer trainer = new RecordingTrainer();
    private Server server;
    private ManagedChannel channel;

    private TrainerChain chain(String preset) throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(trainer).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        return new TrainerChain(TrainerGrpc.newBlockingStub(channel), "qs", "data/synth-small", preset, 1);
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    @Test
    void anImportedEncoderIsAlignedThenTrainedByTheRecipe() throws Exception {
        String[] models = chain("minilm").recipeOn("models/all-minilm-l6-v2-vision-small", 120);
        assertEquals(List.of("qs-align", "qs-instruction", "qs-mine", "qs-hard-negatives", "qs-reranker"),
                trainer.started.stream().map(StartJobRequest::getJobId).toList());
        StartJobRequest align = trainer.started.get(0);
        assertEquals(JobKind.JOB_KIND_CROSS_MODAL, align.getSpec().getKind());
        assertEquals("models/all-minilm-l6-v2-vision-small", align.getSpec().getInitCheckpoint());
        assertEquals(Trainable.TRAINABLE_ALIGN, align.getSpec().getHyper().getTrainable());
        assertEquals(800, align.getSpec().getHyper().getMaxSteps());
        assertEquals(32, align.getSpec().getHyper().getBatchSize(), "the alignment sweep's batch (docs/pretrained.md)");
        assertEquals(false, align.getSpec().getHyper().hasReferenceBatchSize(), "the rate stays the one tuned at the preset's batch");
        assertEquals("minilm", align.getSpec().getPreset());
        StartJobRequest instruction = trainer.started.get(1);
        assertEquals("jobs/qs-align/final", instruction.getSpec().getInitCheckpoint());
        assertEquals(120, instruction.getSpec().getHyper().getMaxSteps());
        // the stages after alignment leave the trainable set to the preset's default (LoRA on an imported encoder)
        assertEquals(Trainable.TRAINABLE_UNSPECIFIED, instruction.getSpec().getHyper().getTrainable());
        StartJobRequest reranker = trainer.started.get(4);
        assertEquals("jobs/qs-align/final", reranker.getSpec().getInitCheckpoint());
        assertEquals(120, reranker.getSpec().getHyper().getMaxSteps());
        assertEquals("jobs/qs-mine/final", reranker.getSpec().getData().getHardNegatives(), "one mining pass on an imported encoder");
        assertArrayEquals(new String[] {"jobs/qs-hard-negatives/final", "jobs/qs-reranker/final"}, models);
    }

    /**
     * From scratch, the reranker starts from pre-training and learns on a second mining pass: the final retriever's lists
     * in each task's own pool, what a cascade gives it to rerank.
     */
    @Test
    void fromScratchTheRerankerStartsFromPretrainingAndLearnsOnTheFinalRetrieversLists() throws Exception {
        String[] models = chain("small").recipe(1200);
        assertEquals(List.of("qs-pretrain", "qs-text", "qs-cross-modal", "qs-instruction", "qs-mine", "qs-hard-negatives",
                "qs-mine-reranker", "qs-reranker"), trainer.started.stream().map(StartJobRequest::getJobId).toList());
        assertEquals("jobs/qs-cross-modal/final", trainer.started.get(3).getSpec().getInitCheckpoint());
        assertEquals("jobs/qs-mine/final", trainer.started.get(5).getSpec().getData().getHardNegatives());
        JobSpec mining = trainer.started.get(6).getSpec();
        assertEquals(JobKind.JOB_KIND_MINE_HARD_NEGATIVES, mining.getKind());
        assertEquals("jobs/qs-hard-negatives/final", mining.getInitCheckpoint());
        assertTrue(mining.getMining().getLocalPool(), "each task's own pool");
        JobSpec reranker = trainer.started.get(7).getSpec();
        assertEquals("jobs/qs-pretrain/final", reranker.getInitCheckpoint());
        assertEquals("jobs/qs-mine-reranker/final", reranker.getData().getHardNegatives());
        assertEquals(300, reranker.getHyper().getMaxSteps());
        assertArrayEquals(new String[] {"jobs/qs-hard-negatives/final", "jobs/qs-reranker/final"}, models);
    }
}
