package dev.umarvel.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobEvent;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.JobState;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cancel and shutdown at every phase of a job's life (queued, starting, mid-step, inside a checkpoint
 * write, inside a record write): the job ends CANCELLED, or stays on disk to resume and succeed at the
 * next start; every write that began completes; the worker goes on to run one more job to success.
 * Each job is held at its phase by a latch until the cancel or the stop is observable, then let go.
 */
class JobLifecycleTest {

    @TempDir
    Path store;

    /** Holds one job at the first phase it reaches that {@code where} accepts, until released. */
    static final class Hold implements BiConsumer<JobRecord, String> {
        final String job;
        final Predicate<JobRecord> where;
        final String phase;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final AtomicBoolean fired = new AtomicBoolean();

        Hold(String job, String phase, Predicate<JobRecord> where) {
            this.job = job;
            this.phase = phase;
            this.where = where;
        }

        @Override
        public void accept(JobRecord r, String p) {
            if (r.id().equals(job) && p.equals(phase) && where.test(r) && fired.compareAndSet(false, true)) {
                reached.countDown();
                try {
                    assertTrue(release.await(2, TimeUnit.MINUTES), "never released");
                } catch (InterruptedException e) {
                    throw new IllegalStateException("the worker was interrupted", e);
                }
            }
        }

        void awaitReached() throws InterruptedException {
            assertTrue(reached.await(5, TimeUnit.MINUTES), job + " never reached " + phase);
        }
    }

    private JobManager manager() throws Exception {
        if (!Files.exists(store.resolve("data"))) {
            SynthGenerator.generate(store.resolve("data"), SynthSize.TINY, 4, s -> {});
        }
        return Managers.start(store);
    }

    private static Hold hold(String job, String phase) {
        return switch (phase) {
            // a write of job.json in the middle of the run (a progress update), not the write that starts it
            case "record-write" -> new Hold(job, phase, r -> r.job().getState() == JobState.JOB_STATE_RUNNING
                    && r.job().getProgress().getStep() >= 2);
            case "step" -> new Hold(job, phase, r -> r.job().getProgress().getStep() >= 1);
            default -> new Hold(job, phase, r -> true);
        };
    }

    private static void start(JobManager m, String id) {
        m.start(Managers.spec(JobKind.JOB_KIND_PRETRAIN, "", 6, 2), id);
    }

    /** Stops the manager from another thread (stop waits for the worker), lets the held job go once the stop is visible. */
    private static void stopWhileHeld(JobManager m, Hold held) throws Exception {
        Thread stopper = new Thread(() -> {
            try {
                m.stop(null);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        stopper.start();
        while (!m.stopping()) {
            Thread.onSpinWait();
        }
        held.release.countDown();
        stopper.join(TimeUnit.MINUTES.toMillis(3));
        assertFalse(stopper.isAlive(), "stop did not return");
        assertFalse(m.healthy(), "the worker outlived stop");
    }

    private static Job onDisk(Path store, String id) throws Exception {
        return JobRecord.load(store.resolve("jobs").resolve(id)).job();
    }

    /** The events of a job as a watcher replays them: numbered 1, 2, 3, ... */
    private static List<JobEvent> events(JobManager m, String id) {
        List<JobEvent> out = new ArrayList<>();
        m.get(id).watch(0, out::add);
        for (int i = 0; i < out.size(); i++) {
            assertEquals(i + 1, out.get(i).getSequence(), id + "'s events: " + out);
        }
        return out;
    }

    private void oneMoreSucceeds(JobManager m, String id) throws Exception {
        start(m, id);
        Job after = Managers.await(m, id);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, after.getState(), after.getReason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"starting", "step", "checkpoint-write", "record-write"})
    void cancelAtEachPhaseOfARunningJob(String phase) throws Exception {
        JobManager m = manager();
        Hold held = hold("victim", phase);
        m.phases = held;
        start(m, "victim");
        held.awaitReached();
        // from another thread: inside a record write the cancel waits for the write to finish
        Thread canceller = new Thread(() -> m.cancel("victim"));
        canceller.start();
        while (!m.get("victim").cancelRequested()) {
            Thread.onSpinWait();
        }
        held.release.countDown();
        canceller.join(TimeUnit.MINUTES.toMillis(3));
        Job j = Managers.await(m, "victim");
        assertEquals(JobState.JOB_STATE_CANCELLED, j.getState(), j.getReason());
        assertEquals(JobState.JOB_STATE_CANCELLED, onDisk(store, "victim").getState());
        events(m, "victim");
        oneMoreSucceeds(m, "after");
        m.stop(null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"starting", "step", "checkpoint-write", "record-write"})
    void shutdownAtEachPhaseOfARunningJobResumesAtTheNextStart(String phase) throws Exception {
        JobManager first = manager();
        Hold held = hold("victim", phase);
        first.phases = held;
        start(first, "victim");
        held.awaitReached();
        stopWhileHeld(first, held);
        Job stopped = onDisk(store, "victim");
        assertEquals(JobState.JOB_STATE_RUNNING, stopped.getState(), "stopped by shutdown, not ended: " + stopped.getReason());

        JobManager second = manager();
        Job resumed = Managers.await(second, "victim");
        assertEquals(JobState.JOB_STATE_SUCCEEDED, resumed.getState(), resumed.getReason());
        assertEquals(1, resumed.getResumes());
        List<String> logs = events(second, "victim").stream().filter(JobEvent::hasLog).map(JobEvent::getLog).toList();
        if (phase.equals("checkpoint-write") || phase.equals("record-write")) { // the write that was under way completed
            assertTrue(logs.stream().anyMatch(l -> l.startsWith("resumed from jobs/victim/checkpoints/step-")), logs.toString());
        }
        oneMoreSucceeds(second, "after");
        second.stop(null);
    }

    @Test
    void cancelAndShutdownOfAQueuedJob() throws Exception {
        JobManager first = manager();
        Hold blocker = hold("blocker", "starting");
        first.phases = blocker;
        start(first, "blocker");
        blocker.awaitReached();
        start(first, "cancelled");
        start(first, "waiting");
        Job c = first.cancel("cancelled");
        assertEquals(JobState.JOB_STATE_CANCELLED, c.getState());
        assertEquals("cancelled by request before it started", c.getReason());
        stopWhileHeld(first, blocker);
        assertEquals(JobState.JOB_STATE_RUNNING, onDisk(store, "blocker").getState());
        assertEquals(JobState.JOB_STATE_QUEUED, onDisk(store, "waiting").getState());

        JobManager second = manager();
        for (String id : List.of("blocker", "waiting")) {
            Job j = Managers.await(second, id);
            assertEquals(JobState.JOB_STATE_SUCCEEDED, j.getState(), id + ": " + j.getReason());
        }
        assertEquals(JobState.JOB_STATE_CANCELLED, second.get("cancelled").job().getState());
        oneMoreSucceeds(second, "after");
        second.stop(null);
    }

    @Test
    void theWorkerSurvivesAnyFailureOfAJob() throws Exception {
        JobManager m = manager();
        m.phases = (r, phase) -> {
            if (r.id().equals("throws") && phase.equals("step")) {
                throw new IllegalStateException("planted in a step");
            }
            if (r.id().equals("errs") && phase.equals("starting")) {
                throw new AssertionError("planted error");
            }
            // the failure of this one cannot even be recorded: the write of FAILED throws too
            if (r.id().equals("unrecordable") && phase.equals("record-write") && r.job().getState() != JobState.JOB_STATE_QUEUED) {
                throw new IllegalStateException("planted in a record write");
            }
        };
        start(m, "throws");
        Job j = Managers.await(m, "throws");
        assertEquals(JobState.JOB_STATE_FAILED, j.getState());
        assertEquals("IllegalStateException: planted in a step", j.getReason());
        start(m, "errs");
        j = Managers.await(m, "errs");
        assertEquals(JobState.JOB_STATE_FAILED, j.getState());
        assertEquals("AssertionError: planted error", j.getReason());
        start(m, "unrecordable");
        oneMoreSucceeds(m, "after");
        assertTrue(m.healthy());
        m.stop(null);
    }
}
