package dev.umarvel.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.DataSpec;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobEvent;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.JobSpec;
import dev.umarvel.api.v1.JobState;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A service stopped in the middle of a job picks it up at the next start and ends where an uninterrupted run ends. */
class RecoveryTest {

    @TempDir Path store;

    private JobManager manager() throws Exception {
        return Managers.start(store);
    }

    private static JobSpec spec(JobKind kind, String init, long steps) {
        return Managers.spec(kind, init, steps, 3);
    }

    private static Job await(JobManager m, String id) throws InterruptedException {
        return Managers.await(m, id);
    }

    private float[] embedding(String checkpoint) throws Exception {
        try (Inference model = Inference.load(store.resolve(checkpoint))) {
            return model.embed(List.of(Item.query("find the image", "a blue star at the top", null)), true).vectors()[0];
        }
    }

    @Test
    void anInterruptedJobResumesToTheUninterruptedResult() throws Exception {
        SynthGenerator.generate(store.resolve("data"), SynthSize.TINY, 4, s -> {});
        JobManager first = manager();
        first.start(spec(JobKind.JOB_KIND_PRETRAIN, "", 2), "base");
        assertEquals(JobState.JOB_STATE_SUCCEEDED, await(first, "base").getState());
        first.start(spec(JobKind.JOB_KIND_INSTRUCTION, "jobs/base/final", 12), "straight");
        assertEquals(JobState.JOB_STATE_SUCCEEDED, await(first, "straight").getState());

        first.start(spec(JobKind.JOB_KIND_INSTRUCTION, "jobs/base/final", 12), "crashed");
        CountDownLatch pastCheckpoint = new CountDownLatch(1);
        first.get("crashed").watch(0, e -> {
            if (e.hasProgress() && e.getProgress().getStep() >= 7) {
                pastCheckpoint.countDown();
            }
        });
        assertTrue(pastCheckpoint.await(5, TimeUnit.MINUTES));
        first.stop(null); // the job stops at its next step and stays RUNNING on disk, as after a crash
        assertEquals(JobState.JOB_STATE_RUNNING, JobRecord.load(store.resolve("jobs/crashed")).job().getState());

        JobManager second = manager();
        Job resumed = await(second, "crashed");
        assertEquals(JobState.JOB_STATE_SUCCEEDED, resumed.getState(), resumed.getReason());
        assertEquals(1, resumed.getResumes());
        List<String> logs = new java.util.ArrayList<>();
        second.get("crashed").watch(0, e -> {
            if (e.hasLog()) {
                logs.add(e.getLog());
            }
        });
        assertTrue(logs.stream().anyMatch(l -> l.startsWith("resumed from jobs/crashed/checkpoints/step-")), logs.toString());
        assertArrayEquals(embedding("jobs/straight/final"), embedding("jobs/crashed/final"), 1e-6f);
        second.stop(null);
    }
}
