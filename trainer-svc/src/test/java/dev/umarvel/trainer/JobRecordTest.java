package dev.umarvel.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobEvent;
import dev.umarvel.api.v1.JobState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRecordTest {

    @TempDir
    Path dir;

    /** What one watcher received, checked as it arrives: after + 1, after + 2, ... with no gap and no repeat. */
    static final class Sequenced {
        final long after;
        final List<Long> received = new ArrayList<>();
        String broken;

        Sequenced(long after) {
            this.after = after;
        }

        synchronized void accept(JobEvent e) {
            long expected = after + received.size() + 1;
            if (broken == null && e.getSequence() != expected) {
                broken = "after " + after + ": expected " + expected + ", got " + e.getSequence() + " following " + received.subList(
                        Math.max(0, received.size() - 3), received.size());
            }
            received.add(e.getSequence());
        }
    }

    @Test
    void watchersJoiningAtRandomPointsSeeEveryEventOnceInOrder() throws Exception {
        JobRecord r = new JobRecord(dir, Job.newBuilder().setJobId("race").setState(JobState.JOB_STATE_RUNNING).build());
        r.create();
        int emitters = 3;
        int perEmitter = 300;
        int watchers = 60;
        CyclicBarrier go = new CyclicBarrier(emitters + 1);
        CountDownLatch emitted = new CountDownLatch(emitters);
        for (int t = 0; t < emitters; t++) {
            int thread = t;
            new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < perEmitter; i++) {
                        r.emit(JobEvent.newBuilder().setLog(thread + ":" + i)); // as the worker and cancel/watch calls do
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    emitted.countDown();
                }
            }).start();
        }
        go.await();
        Random random = new Random(7);
        List<Sequenced> all = new ArrayList<>();
        while (emitted.getCount() > 0 && all.size() < watchers) {
            long now = r.eventCount();
            Sequenced w = new Sequenced(random.nextInt((int) now + 1)); // from anywhere up to the present
            all.add(w);
            r.watch(w.after, w::accept);
        }
        assertTrue(emitted.await(2, TimeUnit.MINUTES));
        long total = emitters * perEmitter;
        assertEquals(total, r.eventCount());
        assertTrue(all.size() >= 5, "watchers that joined while events were emitted: " + all.size());
        for (Sequenced w : all) {
            synchronized (w) {
                assertEquals(null, w.broken, w.broken);
                assertEquals(total - w.after, w.received.size(), "watcher after " + w.after);
            }
        }
        // the file holds the same history, in order
        List<JobEvent> reloaded = new ArrayList<>();
        JobRecord.load(dir).watch(0, reloaded::add);
        for (int i = 0; i < reloaded.size(); i++) {
            assertEquals(i + 1, reloaded.get(i).getSequence());
        }
        assertEquals(total, reloaded.size());
    }
}
