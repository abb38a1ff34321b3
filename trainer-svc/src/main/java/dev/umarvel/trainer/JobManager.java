package dev.umarvel.trainer;

import dev.umarvel.api.v1.CheckpointInfo;
import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobEvent;
import dev.umarvel.api.v1.JobSpec;
import dev.umarvel.api.v1.JobState;
import dev.umarvel.api.v1.TrainingProgress;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.EvaluationSummaries;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.io.CheckpointException;
import dev.umarvel.recipe.InvalidSpecException;
import dev.umarvel.recipe.JobCancelledException;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobListener;
import dev.umarvel.recipe.Jobs;
import io.grpc.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Runs jobs one at a time on this device, the rest queued; keeps every job's record and events
 * in the store; resumes interrupted jobs at start-up.
 */
@ApplicationScoped
public class JobManager {

    private static final Logger LOG = Logger.getLogger(JobManager.class);

    @Inject
    TrainerConfig config;

    @Inject
    MeterRegistry registry;

    /** Put on the queue by {@link #stop}: wakes the worker without an interrupt. */
    private static final String STOP = "";

    private final Map<String, JobRecord> jobs = new LinkedHashMap<>();
    // unbounded: the capacity is checked in start(), so that STOP always fits
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private Thread worker;
    private volatile boolean stopping;
    /** Hears each job's phases ("starting", "step", "checkpoint-write", "record-write"); tests pause jobs on it. */
    volatile BiConsumer<JobRecord, String> phases = (job, phase) -> {};
    private final AtomicReference<TrainingProgress> latest = new AtomicReference<>(TrainingProgress.getDefaultInstance());

    Path store() {
        return config.store().toAbsolutePath().normalize();
    }

    void start(@Observes StartupEvent event) throws IOException {
        Files.createDirectories(store().resolve("jobs"));
        recover();
        for (JobState s : JobState.values()) {
            if (s != JobState.UNRECOGNIZED && s != JobState.JOB_STATE_UNSPECIFIED) {
                Gauge.builder("umarvel_trainer_jobs", this, m -> m.count(s)).tag("state", s.name()).register(registry);
            }
        }
        Gauge.builder("umarvel_trainer_loss", latest, p -> p.get().getLoss()).register(registry);
        Gauge.builder("umarvel_trainer_temperature", latest, p -> p.get().getTemperature()).register(registry);
        Gauge.builder("umarvel_trainer_examples_per_second", latest, p -> p.get().getExamplesPerSecond()).register(registry);
        Gauge.builder("umarvel_trainer_step", latest, p -> p.get().getStep()).register(registry);
        worker = new Thread(this::work, "trainer-worker");
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Stops the worker without interrupting it (an interrupt landing in a file write closes the channel and
     * loses the write): the running job sees the flag at its next step, or when its current write is done,
     * and stays RUNNING on disk to resume at the next start; queued jobs stay QUEUED.
     */
    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        stopping = true;
        queue.offer(STOP);
        if (worker != null) {
            worker.join(60_000);
        }
    }

    boolean stopping() {
        return stopping;
    }

    boolean healthy() {
        return worker != null && worker.isAlive();
    }

    private synchronized double count(JobState s) {
        return jobs.values().stream().filter(r -> r.job().getState() == s).count();
    }

    /** Loads every job record; jobs that were running or queued go back into the queue. */
    private void recover() throws IOException {
        List<JobRecord> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(store().resolve("jobs"))) {
            for (Path dir : dirs.filter(d -> Files.exists(d.resolve("job.json"))).toList()) {
                try {
                    found.add(JobRecord.load(dir));
                } catch (IOException | RuntimeException e) {
                    LOG.warnf("skipping unreadable job record %s: %s", dir, e.getMessage());
                }
            }
        }
        found.sort(Comparator.comparing(r -> r.job().getCreatedAt().getSeconds()));
        for (JobRecord r : found) {
            synchronized (this) {
                jobs.put(r.id(), r);
            }
            JobState s = r.job().getState();
            if (config.trainer().resumeOnStart() && (s == JobState.JOB_STATE_RUNNING || s == JobState.JOB_STATE_QUEUED)) {
                if (s == JobState.JOB_STATE_RUNNING) {
                    r.update(b -> b.setResumes(b.getResumes() + 1));
                    r.emit(JobEvent.newBuilder().setLog("service restarted: the job resumes from its last checkpoint"));
                }
                r.update(b -> b.setState(JobState.JOB_STATE_QUEUED).setReason("waiting to resume"));
                r.observe(phase -> phases.accept(r, phase));
                queue.offer(r.id());
            }
        }
    }

    /** A list-wise step embeds batch x list candidates at once: refused above the configured bound, before it runs out of memory. */
    private void checkListSize(dev.umarvel.recipe.JobSpec spec) {
        if (spec.kind() != dev.umarvel.recipe.JobKind.DISTILL && spec.kind() != dev.umarvel.recipe.JobKind.CONTINUE_HARD) {
            return;
        }
        long sequences = (long) spec.hyper().batchSize() * spec.distill().listSize();
        int bound = config.trainer().maxListSequences();
        if (sequences > bound) {
            throw new InvalidSpecException(List.of("spec.hyper.batch_size: " + spec.hyper().batchSize() + " lists of "
                    + spec.distill().listSize() + " candidates are " + sequences + " candidate sequences per step, over this trainer's "
                    + "umarvel.trainer.max-list-sequences of " + bound + "; lower batch_size or distill.list_size"));
        }
    }

    /** Validates and queues a job. */
    Job start(JobSpec spec, String requestedId) {
        String id = requestedId.isEmpty() ? "job-" + UUID.randomUUID().toString().substring(0, 8) : requestedId;
        if (!id.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw Status.INVALID_ARGUMENT.withDescription("job_id: must match [a-z0-9][a-z0-9-]{0,62}, got '" + requestedId + "'")
                    .asRuntimeException();
        }
        dev.umarvel.recipe.JobSpec domain;
        try {
            domain = SpecMapper.toDomain(spec, id);
            checkListSize(domain);
            JobContext probe = context(domain, null);
            Jobs.validate(probe, domain);
            if (!domain.initCheckpoint().isEmpty()) {
                Checkpoint.verify(probe.resolve("init_checkpoint", domain.initCheckpoint()));
            }
        } catch (InvalidSpecException e) {
            throw Status.INVALID_ARGUMENT.withDescription(String.join("; ", e.problems().stream()
                    .map(p -> p.startsWith("spec.") ? p : "spec." + p).toList())).asRuntimeException();
        } catch (NoSuchFileException e) {
            throw Status.NOT_FOUND.withDescription("no such file or directory in the store: " + store().relativize(Path.of(e.getFile())))
                    .asRuntimeException();
        } catch (CheckpointException e) {
            Status status = e.kind() == CheckpointException.Kind.MISSING ? Status.NOT_FOUND : Status.FAILED_PRECONDITION;
            throw status.withDescription("spec.init_checkpoint: " + e.getMessage()).asRuntimeException();
        } catch (IOException e) {
            throw Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException();
        }
        JobRecord record;
        synchronized (this) {
            if (jobs.containsKey(id)) {
                throw Status.ALREADY_EXISTS.withDescription("job_id: a job '" + id + "' exists").asRuntimeException();
            }
            if (queue.size() >= config.trainer().queueCapacity()) {
                throw Status.RESOURCE_EXHAUSTED.withDescription("the job queue is full (" + config.trainer().queueCapacity()
                        + " waiting); retry later").asRuntimeException();
            }
            Job job = Job.newBuilder().setJobId(id).setSpec(SpecMapper.withDefaults(spec, domain)).setState(JobState.JOB_STATE_QUEUED)
                    .setCreatedAt(JobRecord.now()).setReason(queue.size() + " jobs ahead").setQueuePosition(queue.size()).build();
            record = new JobRecord(store().resolve("jobs").resolve(id), job);
            JobRecord r = record;
            record.observe(phase -> phases.accept(r, phase));
            record.create();
            // QUEUED is event 1: emitted before the worker can see the job and emit RUNNING
            record.emit(JobEvent.newBuilder().setState(dev.umarvel.api.v1.JobStateChange.newBuilder()
                    .setState(JobState.JOB_STATE_QUEUED).setReason(job.getReason())));
            jobs.put(id, record);
            queue.offer(id);
        }
        return record.job();
    }

    JobRecord get(String id) {
        if (id.isEmpty()) {
            throw Status.INVALID_ARGUMENT.withDescription("job_id: must not be empty").asRuntimeException();
        }
        synchronized (this) {
            JobRecord r = jobs.get(id);
            if (r == null) {
                throw Status.NOT_FOUND.withDescription("job_id: no job '" + id + "'").asRuntimeException();
            }
            return r;
        }
    }

    Job cancel(String id) {
        JobRecord r = get(id);
        r.requestCancel(); // first, and without a lock: a job paused inside a write sees it when the write is done
        if (r.terminal()) {
            return r.job();
        }
        if (r.job().getState() == JobState.JOB_STATE_QUEUED && queue.remove(id)) {
            r.state(JobState.JOB_STATE_CANCELLED, "cancelled by request before it started");
        }
        return r.job();
    }

    synchronized List<Job> list() {
        List<Job> out = new ArrayList<>();
        jobs.values().forEach(r -> out.add(r.job()));
        out.sort(Comparator.comparing((Job j) -> j.getCreatedAt().getSeconds()).thenComparing(j -> j.getCreatedAt().getNanos()).reversed());
        return out;
    }

    /** The worker: one job at a time until stopped; no job's failure, however thrown, ends it. */
    private void work() {
        while (!stopping) {
            String id;
            try {
                id = queue.take();
            } catch (InterruptedException e) {
                return; // nobody interrupts the worker; if someone does, it ends as at shutdown
            }
            JobRecord r;
            synchronized (this) {
                r = jobs.get(id);
            }
            if (stopping || r == null || r.terminal()) {
                continue; // at shutdown the job stays QUEUED on disk and resumes at the next start
            }
            try {
                run(r);
            } catch (Throwable t) {
                LOG.errorf(t, "job %s: its failure could not be recorded", r.id());
            }
        }
    }

    private void run(JobRecord r) {
        try {
            if (r.cancelRequested()) { // cancelled between the queue and here
                r.state(JobState.JOB_STATE_CANCELLED, "cancelled by request before it started");
                return;
            }
            dev.umarvel.recipe.JobSpec spec = SpecMapper.toDomain(r.job().getSpec(), r.id());
            r.state(JobState.JOB_STATE_RUNNING, r.job().getResumes() > 0 ? "resumed after a restart" : "started");
            phases.accept(r, "starting");
            JobContext ctx = context(spec, r);
            Path output = Jobs.run(ctx, spec);
            r.update(b -> b.setOutput(ctx.relative(output)));
            r.state(JobState.JOB_STATE_SUCCEEDED, "done: " + ctx.relative(output));
        } catch (JobCancelledException e) {
            if (stopping && !r.cancelRequested()) {
                LOG.infof("job %s stopped by shutdown; it resumes at the next start", r.id());
                return; // stays RUNNING on disk
            }
            r.state(JobState.JOB_STATE_CANCELLED, e.getMessage());
        } catch (Exception | Error e) {
            LOG.errorf(e, "job %s failed", r.id());
            r.state(JobState.JOB_STATE_FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private JobContext context(dev.umarvel.recipe.JobSpec spec, JobRecord r) {
        Path output = JobContext.confine(store(), "spec.output_dir", spec.outputDir());
        return new JobContext(store(), output, r == null ? JobListener.SILENT : new Listener(r),
                () -> r != null && (r.cancelRequested() || stopping));
    }

    /** Recipe events to JobEvents. */
    private final class Listener implements JobListener {
        private final JobRecord r;

        Listener(JobRecord r) {
            this.r = r;
        }

        @Override
        public void progress(Progress p) {
            phases.accept(r, "step");
            TrainingProgress tp = TrainingProgress.newBuilder().setStep(p.step()).setTotalSteps(p.totalSteps()).setEpoch(p.epoch())
                    .setLoss(p.loss()).setTemperature(p.temperature()).setLearningRate(p.learningRate())
                    .setExamplesPerSecond(p.examplesPerSecond()).setEtaSeconds(p.etaSeconds()).build();
            latest.set(tp);
            r.update(b -> b.setProgress(tp));
            r.emit(JobEvent.newBuilder().setProgress(tp));
        }

        @Override
        public void checkpoint(CheckpointWritten c) {
            r.update(b -> b.setLastCheckpoint(c.path()));
            r.emit(JobEvent.newBuilder().setCheckpoint(CheckpointInfo.newBuilder().setPath(c.path()).setHash(c.hash())
                    .setStage(c.stage()).setParent(c.parent()).setStep(c.step()).setJobId(r.id()).setFinal(c.isFinal())
                    .setCreatedAt(JobRecord.now())));
        }

        @Override
        public void evaluation(EvaluationResult result) {
            r.emit(JobEvent.newBuilder().setEvaluation(EvaluationSummaries.of(result)));
        }

        @Override
        public void log(String message) {
            r.emit(JobEvent.newBuilder().setLog(message));
        }

        @Override
        public void curve(CurvePoint p) {
            dev.umarvel.api.v1.LearningCurvePoint.Builder b = dev.umarvel.api.v1.LearningCurvePoint.newBuilder().setStep(p.step())
                    .setLoss(p.loss()).setChanceLoss(Double.isFinite(p.chanceLoss()) ? p.chanceLoss() : 0);
            if (Double.isFinite(p.valRecall())) {
                b.setValRecall(p.valRecall());
            }
            if (Double.isFinite(p.meanPairwiseCosine())) {
                b.setMeanPairwiseCosine(p.meanPairwiseCosine());
            }
            r.emit(JobEvent.newBuilder().setCurve(b));
        }

        @Override
        public void warning(String kind, String message) {
            LOG.warnf("job %s: %s: %s", r.id(), kind, message);
            r.emit(JobEvent.newBuilder().setWarning(dev.umarvel.api.v1.TrainingWarning.newBuilder().setKind(kind).setMessage(message)));
        }

        @Override
        public void phase(String name) {
            phases.accept(r, name);
        }
    }


}
