package dev.umarvel.orchestrator;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.umarvel.api.v1.Collection;
import dev.umarvel.api.v1.DistillEvent;
import dev.umarvel.api.v1.DistillPhase;
import dev.umarvel.api.v1.DistillRequest;
import dev.umarvel.api.v1.EvaluationSummary;
import dev.umarvel.api.v1.ModelInfo;
import dev.umarvel.api.v1.PhaseStatus;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.TrainingSet;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The closed loop on one collection (u-marvel.md section 8, design.md): evaluate the live collection;
 * score a sample of training queries with the live cascade; train the embedder on those scores
 * (a DISTILL job on trainer-svc); load the new model on the embedder beside the old one; re-index
 * the collection into a new version while the old one keeps serving; evaluate the new version; swap
 * the alias. Each phase is recorded in the store as it completes, so a failed run resumes with the
 * same run id; a failure before the swap puts the old model back in service and leaves the live
 * collection as it was.
 */
@ApplicationScoped
public class Distiller {

    private static final Logger LOG = Logger.getLogger(Distiller.class);

    @Inject
    Collections collections;

    @Inject
    Searcher searcher;

    @Inject
    ModelClients models;

    @Inject
    OrchestratorConfig config;

    private final ExecutorService runs = Executors.newCachedThreadPool(
            new ThreadFactoryBuilder().setNameFormat("distill").setDaemon(true).build());

    /** The threads Distill runs on (one per run; a second run on the same collection is refused, not queued). */
    Executor runs() {
        return runs;
    }

    /** One run's context: its request, where its files go, and where its events go. */
    private record Run(String id, DistillRequest request, Path store, Path dir, String dataDir, MbeirLayout layout,
            Consumer<DistillEvent> events, AtomicBoolean listening) {
        /** Sends an event while the caller listens; a caller that went away does not stop the run (it can be resumed or watched again). */
        void send(DistillEvent.Builder e) {
            if (!listening.get()) {
                return;
            }
            try {
                events.accept(e.setRunId(id).build());
            } catch (RuntimeException gone) {
                listening.set(false);
                LOG.infof("Distill %s: the caller went away (%s); the run goes on", id, gone.getMessage());
            }
        }
    }

    /** Runs (or resumes) the loop; returns after the swap, or throws the failure's status after a FAILED event. */
    public void run(DistillRequest r, Consumer<DistillEvent> events, Function<CollectionRecord, Collection> describe) throws Exception {
        Path store = config.store().toAbsolutePath().normalize();
        DistillRequests.validate(r);
        CollectionRecord record = collections.describe(r.getCollection());
        Path dataset = Requests.inStore(store, r.getDatasetDir(), "dataset_dir");
        if (!Files.isDirectory(dataset)) {
            throw Status.NOT_FOUND.withDescription("dataset_dir: no directory " + r.getDatasetDir() + " in the store").asRuntimeException();
        }
        MbeirLayout layout = new MbeirLayout(dataset);
        if (layout.tasks(MbeirLayout.VAL).isEmpty()) {
            throw Status.NOT_FOUND.withDescription("dataset_dir: no validation queries under " + r.getDatasetDir() + "/query/val")
                    .asRuntimeException();
        }
        for (String pool : DistillRequests.teacherPools(r)) { // checked before a run starts: a run without teacher lists is no run
            if (collections.index(record.name()).count(dev.umarvel.index.VectorIndex.Filter.pool(pool)) == 0) {
                throw Status.FAILED_PRECONDITION.withDescription("teacher_pools: collection " + record.name() + " holds no candidate in "
                        + "pool '" + pool + "'; import the dataset's training pool into it first (ImportPool with pools [\"" + pool
                        + "\"])").asRuntimeException();
            }
        }
        String runId = r.getRunId().isEmpty() ? UUID.randomUUID().toString().substring(0, 8) : r.getRunId();
        Path dir = store.resolve("distill").resolve(runId);
        DistillState state;
        if (r.getRunId().isEmpty()) {
            state = DistillState.start(runId, record.name(), record.createdAtMillis(), record.modelVersion());
        } else {
            if (!runId.matches("[a-z0-9-]{1,63}") || !DistillState.exists(dir)) {
                throw Status.NOT_FOUND.withDescription("run_id: no Distill run " + runId).asRuntimeException();
            }
            state = DistillState.read(dir);
            if (!state.collection().equals(record.name())) {
                throw Requests.invalid("run_id", "run " + runId + " distils collection " + state.collection() + ", not " + record.name());
            }
            if (state.collectionCreated() != record.createdAtMillis()) { // the collection was created again since
                state = state.forCollection(record.createdAtMillis());
            }
            boolean done = state.swapped() && record.modelVersion().equals(state.deployedVersion());
            if (!done && !record.modelVersion().equals(state.baseVersion())) {
                throw Status.FAILED_PRECONDITION.withDescription("run_id: run " + runId + " distils model " + state.baseVersion()
                        + " but collection " + record.name() + " holds vectors of " + record.modelVersion() + "; start a new run")
                        .asRuntimeException();
            }
        }
        if (!collections.hold(record.name())) {
            throw Status.ABORTED.withDescription("collection: another Distill run holds " + record.name()).asRuntimeException();
        }
        Run run = new Run(runId, r, store, dir, store.relativize(dataset).toString(), layout, events,
                new AtomicBoolean(true));
        DistillPhase phase = DistillPhase.DISTILL_PHASE_EVALUATE_BEFORE;
        try {
            state.write(dir);
            state = evaluateBefore(run, state);
            phase = DistillPhase.DISTILL_PHASE_TEACHER_SCORING;
            state = teacher(run, state);
            phase = DistillPhase.DISTILL_PHASE_TRAINING;
            state = DistillTraining.train(run.request(), state, record.modelVersion(), models, store, dataset, run::send, s -> {
                try {
                    s.write(dir);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            phase = DistillPhase.DISTILL_PHASE_DEPLOY;
            state = deploy(run, state);
            phase = DistillPhase.DISTILL_PHASE_REINDEX;
            collections.blockWrites(record.name(), true);
            state = Reindex.run(collections, models, config.index().embedBatch(), state, dir, e -> run.send(
                    e.setPhase(DistillPhase.DISTILL_PHASE_REINDEX)));
            phase = DistillPhase.DISTILL_PHASE_EVALUATE_AFTER;
            state = evaluateAfter(run, state);
            phase = DistillPhase.DISTILL_PHASE_ALIAS_SWAP;
            run.send(event(phase, PhaseStatus.PHASE_STATUS_STARTED, "pointing " + record.name() + " at version " + state.stagedVersion()));
            CollectionRecord swapped = collections.swap(record.name(), state.stagedVersion(), state.deployedVersion());
            state = state.withSwapped();
            state.write(dir);
            run.send(event(phase, PhaseStatus.PHASE_STATUS_DONE, record.name() + " now serves version " + swapped.indexVersion()
                    + " with model " + swapped.modelVersion()).setFraction(1).setCollection(describe.apply(swapped)));
        } catch (Exception e) {
            StatusRuntimeException s = Calls.status(e);
            run.send(event(phase, PhaseStatus.PHASE_STATUS_FAILED, s.getStatus().getCode() + ": " + s.getStatus().getDescription()));
            if (!run.listening().get()) { // no caller hears the FAILED event: the log must
                LOG.warnf(e, "Distill %s failed in %s: %s", runId, phase, s.getStatus());
            }
            if (!state.deployedVersion().isEmpty() && !state.swapped()) {
                restore(state);
            }
            throw s;
        } finally {
            collections.blockWrites(record.name(), false);
            collections.release(record.name());
        }
    }

    private DistillState evaluateBefore(Run run, DistillState state) throws Exception {
        DistillPhase phase = DistillPhase.DISTILL_PHASE_EVALUATE_BEFORE;
        if (!state.before().isEmpty()) {
            run.send(event(phase, PhaseStatus.PHASE_STATUS_SKIPPED, "evaluated by an earlier attempt").setFraction(1)
                    .setEvaluation(summary(state.before())));
            return state;
        }
        CollectionRecord live = collections.describe(state.collection());
        EvaluationSummary s = evaluate(run, new Searcher.Target(live, collections.index(live.name())), phase, "live " + live.modelVersion());
        DistillState next = state.withBefore(JsonFormat.printer().print(s));
        next.write(run.dir());
        return next;
    }

    private DistillState evaluateAfter(Run run, DistillState state) throws Exception {
        DistillPhase phase = DistillPhase.DISTILL_PHASE_EVALUATE_AFTER;
        EvaluationSummary before = summary(state.before());
        EvaluationSummary after;
        if (!state.after().isEmpty()) {
            after = summary(state.after());
            run.send(event(phase, PhaseStatus.PHASE_STATUS_SKIPPED, "evaluated by an earlier attempt").setFraction(1).setEvaluation(after));
        } else {
            CollectionRecord live = collections.describe(state.collection());
            CollectionRecord staged = live.withIndex(state.deployedVersion(), state.stagedVersion(), live.swappedAtMillis());
            after = evaluate(run, new Searcher.Target(staged, collections.staged(live.name(), state.stagedVersion())), phase,
                    "distilled " + state.deployedVersion());
            state = state.withAfter(JsonFormat.printer().print(after));
            state.write(run.dir());
        }
        DistillRequest r = run.request();
        if (r.hasMaxRegression() && before.getMeanLocal() - after.getMeanLocal() > r.getMaxRegression()) {
            throw Status.FAILED_PRECONDITION.withDescription(String.format(
                    "max_regression: the distilled model scores %.2f against the live %.2f (mean local recall), more than %.2f points"
                            + " below; it was not deployed and %s is unchanged", after.getMeanLocal(), before.getMeanLocal(),
                    r.getMaxRegression(), state.collection())).asRuntimeException();
        }
        return state;
    }

    private EvaluationSummary evaluate(Run run, Searcher.Target target, DistillPhase phase, String label) throws Exception {
        run.send(event(phase, PhaseStatus.PHASE_STATUS_STARTED, "evaluating " + label + " on the validation split"));
        int tasks = run.layout().tasks(MbeirLayout.VAL).size();
        int[] done = {0};
        EvaluationSummary s = CollectionEvaluation.run(searcher, target, run.layout(), run.dataDir(), MbeirLayout.VAL,
                run.request().getEvalQueriesPerTask(), label, message -> run.send(event(phase, PhaseStatus.PHASE_STATUS_PROGRESS, message)
                        .setFraction((double) done[0]++ / tasks)));
        run.send(event(phase, PhaseStatus.PHASE_STATUS_DONE, String.format("%s: mean local %.2f, global %.2f", label, s.getMeanLocal(),
                s.getMeanGlobal())).setFraction(1).setEvaluation(s));
        return s;
    }

    private DistillState teacher(Run run, DistillState state) throws Exception {
        DistillPhase phase = DistillPhase.DISTILL_PHASE_TEACHER_SCORING;
        if (!state.teacherFile().isEmpty() && Files.exists(run.store().resolve(state.teacherFile()))) {
            run.send(event(phase, PhaseStatus.PHASE_STATUS_SKIPPED, "scored by an earlier attempt").setFraction(1)
                    .setTeacherFile(state.teacherFile()));
            return state;
        }
        DistillRequest r = run.request();
        MbeirLayout layout = run.layout();
        Path root = layout.root();
        TrainingSet set = TrainingSet.load(r.getTrainQueries().isEmpty() ? layout.unionTrainQueries() : root.resolve(r.getTrainQueries()),
                layout.unionPool(MbeirLayout.TRAIN), r.getInstructions().isEmpty() ? layout.instructions() : root.resolve(r.getInstructions()));
        CollectionRecord live = collections.describe(state.collection());
        var index = collections.index(live.name());
        java.util.Set<String> teacherPools = DistillRequests.teacherPools(r);
        run.send(event(phase, PhaseStatus.PHASE_STATUS_STARTED, "recall from pools " + new java.util.TreeSet<>(teacherPools)
                + ", rerank and fuse for a sample of " + set.queries().size() + " training queries"));
        double[] reported = {0};
        TeacherScores.Written w = TeacherScores.write(r, set, new Searcher.Target(live, index), teacherPools, models, run.store(),
                run.dir(), run.dataDir(), f -> {
                    if (f - reported[0] >= 0.05 || f == 1) {
                        reported[0] = f;
                        run.send(event(phase, PhaseStatus.PHASE_STATUS_PROGRESS, "teacher scores").setFraction(f));
                    }
                });
        DistillState next = state.withTeacher(w.teacherFile(), w.poolFile());
        next.write(run.dir());
        run.send(event(phase, PhaseStatus.PHASE_STATUS_DONE, w.queries() + " queries scored").setFraction(1).setTeacherFile(w.teacherFile()));
        return next;
    }

    private DistillState deploy(Run run, DistillState state) throws Exception {
        DistillPhase phase = DistillPhase.DISTILL_PHASE_DEPLOY;
        List<ModelInfo> replicas = models.embedderModels();
        ModelInfo serving = replicas.get(0);
        if (!state.deployedVersion().isEmpty() && replicas.stream().allMatch(m -> m.getVersion().equals(state.deployedVersion()))) {
            run.send(event(phase, PhaseStatus.PHASE_STATUS_SKIPPED, "already deployed").setFraction(1).setDeployed(serving));
            return state;
        }
        CollectionRecord live = collections.describe(state.collection());
        // a rollout that failed half-way left some replicas on the new model: the one to restore is the live collection's
        serving = replicas.stream().filter(m -> m.getVersion().equals(live.modelVersion())).findFirst().orElse(serving);
        run.send(event(phase, PhaseStatus.PHASE_STATUS_STARTED, "loading " + state.checkpoint() + " beside " + serving.getVersion()));
        // the old model stays loaded: the live collection's searches name its version until the swap
        ModelInfo now = models.loadEmbedder(state.checkpoint(), true).getCurrent();
        boolean first = state.previousCheckpoint().isEmpty();
        DistillState next = state.withDeployed(first ? serving.getCheckpointPath() : state.previousCheckpoint(),
                first ? live.modelVersion() : state.previousVersion(), now.getVersion(),
                state.stagedVersion() == 0 ? live.indexVersion() + 1 : state.stagedVersion());
        next.write(run.dir());
        run.send(event(phase, PhaseStatus.PHASE_STATUS_DONE, "embedder serves " + now.getVersion() + "; " + live.modelVersion()
                + " retained for " + live.name()).setFraction(1).setDeployed(now));
        return next;
    }

    /** Puts the live collection's model back in service (the distilled one stays retained, so a resume can go on). */
    private void restore(DistillState state) {
        try {
            models.restoreEmbedder(state.previousVersion(), state.previousCheckpoint());
        } catch (RuntimeException e) {
            LOG.errorf("Distill %s: could not put model %s back in service: %s", state.runId(), state.previousVersion(), e.getMessage());
        }
    }

    static DistillEvent.Builder event(DistillPhase phase, PhaseStatus status, String message) {
        return DistillEvent.newBuilder().setPhase(phase).setStatus(status).setMessage(message);
    }

    private static EvaluationSummary summary(String json) throws InvalidProtocolBufferException {
        EvaluationSummary.Builder b = EvaluationSummary.newBuilder();
        JsonFormat.parser().merge(json, b);
        return b.build();
    }
}
