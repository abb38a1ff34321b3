package dev.umarvel.trainer;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobEvent;
import dev.umarvel.api.v1.JobState;
import dev.umarvel.api.v1.JobStateChange;
import dev.umarvel.mbeir.AtomicWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One job: its current state (written atomically to {@code job.json}) and its event history
 * (appended to {@code events.jsonl}), both under {@code <store>/jobs/<id>/}, so that a restarted
 * service knows every job and can replay every event. Watchers get each new event as it happens.
 */
final class JobRecord {

    private final Path dir;
    private Job job;
    private final List<JobEvent> events = new ArrayList<>();
    private final List<Consumer<JobEvent>> watchers = new CopyOnWriteArrayList<>();
    private volatile boolean cancelRequested;
    private volatile Consumer<String> phases = phase -> {};

    JobRecord(Path dir, Job job) {
        this.dir = dir;
        this.job = job;
    }

    /** Who hears this record's phases ("record-write" as each write of job.json begins): the manager's probe. */
    void observe(Consumer<String> phases) {
        this.phases = phases;
    }

    static Timestamp now() {
        Instant t = Instant.now();
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    synchronized Job job() {
        return job;
    }

    String id() {
        return job().getJobId();
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    void requestCancel() {
        cancelRequested = true;
    }

    synchronized boolean terminal() {
        JobState s = job.getState();
        return s == JobState.JOB_STATE_SUCCEEDED || s == JobState.JOB_STATE_FAILED || s == JobState.JOB_STATE_CANCELLED;
    }

    /** Changes the job and persists it. */
    synchronized void update(java.util.function.UnaryOperator<Job.Builder> change) {
        job = change.apply(job.toBuilder()).build();
        persist();
    }

    /** Records a state change as job field and as event. */
    void state(JobState state, String reason) {
        update(b -> {
            b.setState(state).setReason(reason);
            if (state == JobState.JOB_STATE_RUNNING && !b.hasStartedAt()) {
                b.setStartedAt(now());
            }
            if (state == JobState.JOB_STATE_SUCCEEDED || state == JobState.JOB_STATE_FAILED || state == JobState.JOB_STATE_CANCELLED) {
                b.setEndedAt(now());
            }
            return b;
        });
        emit(JobEvent.newBuilder().setState(JobStateChange.newBuilder().setState(state).setReason(reason)));
    }

    /**
     * Appends an event (sequence and time filled in), persists it and tells the watchers. Numbering and
     * delivery happen under one lock, the same {@link #watch} replays under, so that every watcher sees
     * 1, 2, 3, ... with no gap and no repeat however emitters and new watchers interleave (watchers must
     * not block: gRPC's onNext only buffers).
     */
    synchronized void emit(JobEvent.Builder event) {
        JobEvent e = event.setJobId(job.getJobId()).setSequence(events.size() + 1L).setTime(now()).build();
        events.add(e);
        try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("events.jsonl"), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.write(JsonFormat.printer().omittingInsignificantWhitespace().print(e));
            out.write('\n');
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        for (Consumer<JobEvent> w : watchers) {
            try {
                w.accept(e);
            } catch (RuntimeException gone) { // a watcher's broken stream must not fail the job that emits
                watchers.remove(w);
            }
        }
    }

    /**
     * Replays the events after {@code after} to {@code watcher}, then (unless the job has ended)
     * keeps it subscribed; returns false when the job had ended, so the caller can complete.
     * Replay and subscription are one step under the record's lock: no live event can slip between
     * them, nor arrive before the replayed ones.
     */
    synchronized boolean watch(long after, Consumer<JobEvent> watcher) {
        events.subList((int) Math.min(after, events.size()), events.size()).forEach(watcher);
        boolean ended = terminal();
        if (!ended) {
            watchers.add(watcher);
        }
        return !ended;
    }

    void unwatch(Consumer<JobEvent> watcher) {
        watchers.remove(watcher);
    }

    synchronized long eventCount() {
        return events.size();
    }

    private void persist() {
        phases.accept("record-write");
        try {
            Files.createDirectories(dir);
            AtomicWriter.write(dir.resolve("job.json"), JsonFormat.printer().print(job) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads a record written by an earlier run of the service. */
    static JobRecord load(Path dir) throws IOException {
        Job.Builder job = Job.newBuilder();
        JsonFormat.parser().ignoringUnknownFields().merge(Files.readString(dir.resolve("job.json")), job);
        JobRecord r = new JobRecord(dir, job.build());
        Path log = dir.resolve("events.jsonl");
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    JobEvent.Builder e = JobEvent.newBuilder();
                    try {
                        JsonFormat.parser().merge(line, e);
                        r.events.add(e.build());
                    } catch (IOException torn) {
                        break; // a line cut by a kill: the events before it are intact
                    }
                }
            }
        }
        return r;
    }

    /** Writes the initial state of a new job. */
    void create() {
        synchronized (this) {
            persist();
        }
    }
}
