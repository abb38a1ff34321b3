package dev.umarvel.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.DataSpec;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.JobSpec;
import dev.umarvel.api.v1.JobState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** JobManagers outside Quarkus, on a store of the test's, as the service starts and stops them. */
final class Managers {

    private Managers() {}

    /** A started manager (queue of 4, resuming on start) over {@code store}. */
    static JobManager start(Path store) throws Exception {
        JobManager m = new JobManager();
        m.config = new TrainerConfig() {
            @Override
            public Path store() {
                return store;
            }

            @Override
            public Trainer trainer() {
                return new Trainer() {
                    @Override
                    public int queueCapacity() {
                        return 4;
                    }

                    @Override
                    public boolean resumeOnStart() {
                        return true;
                    }

                    @Override
                    public int maxListSequences() {
                        return 1024;
                    }
                };
            }
        };
        m.registry = new SimpleMeterRegistry();
        m.start(null);
        return m;
    }

    /** A tiny job on the dataset at {@code data}: a checkpoint every {@code every} steps. */
    static JobSpec spec(JobKind kind, String init, long steps, long every) {
        return JobSpec.newBuilder().setKind(kind).setPreset("tiny").setInitCheckpoint(init).setSeed(9)
                .setData(DataSpec.newBuilder().setDatasetDir("data"))
                .setHyper(HyperParameters.newBuilder().setMaxSteps(steps).setLoraRank(8).setCheckpointEverySteps(every)).build();
    }

    /** Waits for the job's terminal state and returns the job. */
    static Job await(JobManager m, String id) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        boolean live = m.get(id).watch(0, e -> {
            if (e.hasState() && terminal(e.getState().getState())) {
                done.countDown();
            }
        });
        if (live) {
            assertTrue(done.await(5, TimeUnit.MINUTES), "job " + id + " did not end");
        }
        return m.get(id).job();
    }

    static boolean terminal(JobState s) {
        return s == JobState.JOB_STATE_SUCCEEDED || s == JobState.JOB_STATE_FAILED || s == JobState.JOB_STATE_CANCELLED;
    }
}
