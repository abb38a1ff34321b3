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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
        int watchers = 60;
        AtomicBoolean joined = new AtomicBoolean();
        CountDownLatch emitted = new CountDownLatch(emitters);
        for (int t = 0; t < emitters; t++) {
            int thread = t;
            new Thread(() -> {
                try {
                    // emit until every watcher has joined: however the threads are scheduled, the watchers join a running stream
                    for (int i = 0; !joined.get() || i < 100; i++) {
                        r.emit(JobEvent.newBuilder().setLog(thread + ":" + i)); // as the worker and cancel/watch calls do
                    }
                } finally {
                    emitted.countDown();
                }
            }).start();
        }
        Random random = new Random(7);
        List<Sequenced> all = new ArrayList<>();
        long seen = 0;
        while (all.size() < watchers) {
            long now = r.eventCount();
            if (now == seen) {
                Thread.onSpinWait(); // the next watcher joins after at least one more event
                continue;
            }
            seen = now;
            Sequenced w = new Sequenced(random.nextInt((int) now + 1)); // from anywhere up to the present
            all.add(w);
            r.watch(w.after, w::accept);
        }
        joined.set(true);
        assertTrue(emitted.await(2, TimeUnit.MINUTES));
        long total = r.eventCount();
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
