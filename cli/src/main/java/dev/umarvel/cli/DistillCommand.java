package dev.umarvel.cli;

import dev.umarvel.api.v1.DistillEvent;
import dev.umarvel.api.v1.DistillPhase;
import dev.umarvel.api.v1.DistillRequest;
import dev.umarvel.api.v1.EvaluationSummary;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.PhaseStatus;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.mbeir.TeacherFile;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code umarvel distill}: the orchestrator's closed loop on a collection, each phase shown as it runs. */
@Command(showDefaultValues = true, name = "distill", mixinStandardHelpOptions = true, description = "Distil the cascade into the embedder of a collection: teacher "
        + "scores, DISTILL job, deploy, re-index while serving, alias swap; evaluated before and after. Re-run with --run-id to resume.")
final class DistillCommand extends CollectionCommand.Target implements Callable<Integer> {

    @Parameters(index = "0", description = "The collection.")
    String collection;

    @Option(names = "--dataset", required = true, description = "Store-relative M-BEIR root with training and validation queries.")
    String dataset;

    @Option(names = "--sample-fraction", defaultValue = "0.1", description = "Share of each task's training queries scored (default 0.1).")
    double sampleFraction;

    @Option(names = "--recall-k", defaultValue = "50", description = "Candidates recalled and scored per query (default 50).")
    int recallK;

    @Option(names = "--teacher-weight", defaultValue = "" + TeacherFile.DEFAULT_WEIGHT,
            description = "w of the teacher's cos + w P(Yes) (default ${DEFAULT-VALUE}; the paper's: 1).")
    double teacherWeight;

    @Option(showDefaultValue = Visibility.NEVER, names = "--steps", defaultValue = "0", description = "Training steps of the DISTILL job (default: the trainer's, one epoch).")
    long steps;

    @Option(showDefaultValue = Visibility.NEVER, names = "--batch-size", defaultValue = "0", description = "Queries per training step (default: the trainer's).")
    int batchSize;

    @Option(showDefaultValue = Visibility.NEVER, names = "--lr", defaultValue = "0", description = "Learning rate (default: the preset's; 1e-5 for small).")
    double learningRate;

    @Option(showDefaultValue = Visibility.NEVER, names = "--preset", defaultValue = "", description = "Trainer preset whose defaults the job takes: minilm or e5-small "
            + "for a model on that imported encoder (default: small).")
    String preset;

    @Option(names = "--max-regression", description = "Refuse to swap when validation recall drops by more than this many points (default: no check).")
    Double maxRegression;

    @Option(names = "--eval-queries-per-task", defaultValue = "0", description = "Validation queries per task (default all).")
    int evalQueriesPerTask;

    @Option(names = "--run-id", defaultValue = "", description = "Resume this run.")
    String runId;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the teacher sample and of the DISTILL job.")
    long seed;

    @Override
    public Integer call() {
        HyperParameters.Builder hyper = HyperParameters.newBuilder();
        if (steps > 0) {
            hyper.setMaxSteps(steps);
        }
        if (batchSize > 0) {
            hyper.setBatchSize(batchSize);
        }
        if (learningRate > 0) {
            hyper.setLearningRate(learningRate);
        }
        DistillRequest.Builder r = DistillRequest.newBuilder().setCollection(collection).setDatasetDir(dataset).setSampleFraction(sampleFraction)
                .setRecallK(recallK).setTeacherWeight(teacherWeight).setHyper(hyper).setEvalQueriesPerTask(evalQueriesPerTask).setRunId(runId)
                .setSeed(seed).setPreset(preset);
        if (maxRegression != null) {
            r.setMaxRegression(maxRegression);
        }
        Summary summary = call(stub -> run(stub, r.build(), id -> {}));
        System.out.println(summary.table());
        return 0;
    }

    /** The before and after figures of a run, as its events gave them. */
    record Summary(String runId, EvaluationSummary before, EvaluationSummary after, String collection) {
        String table() {
            StringBuilder s = new StringBuilder("run " + runId + "\n");
            s.append(String.format(Locale.ROOT, "%-32s %10s %10s%n", "", "mean local", "mean global"));
            for (EvaluationSummary e : new EvaluationSummary[] {before, after}) {
                if (e != null) {
                    s.append(String.format(Locale.ROOT, "%-32s %10.2f %10.2f%n", e.getLabel(), e.getMeanLocal(), e.getMeanGlobal()));
                }
            }
            return s.append(collection).toString();
        }
    }

    /** Streams a run, one progress bar per phase; returns its figures. {@code runId} hears the run's id once it is known. */
    static Summary run(RetrievalGrpc.RetrievalBlockingStub stub, DistillRequest r, java.util.function.Consumer<String> runId) {
        Iterator<DistillEvent> events = stub.distill(r);
        EvaluationSummary before = null;
        EvaluationSummary after = null;
        String id = r.getRunId();
        String collection = "";
        Progress bar = null;
        DistillPhase shown = DistillPhase.DISTILL_PHASE_UNSPECIFIED;
        try {
            while (events.hasNext()) {
                DistillEvent e = events.next();
                if (!e.getRunId().equals(id)) {
                    id = e.getRunId();
                    runId.accept(id);
                }
                if (e.getPhase() != shown) {
                    if (bar != null) {
                        bar.close();
                    }
                    shown = e.getPhase();
                    bar = new Progress(shown.name().replace("DISTILL_PHASE_", "").toLowerCase(Locale.ROOT), 1000);
                }
                bar.update(Math.round(e.getFraction() * 1000), 1000, e.getMessage());
                if (e.hasEvaluation() && e.getPhase() == DistillPhase.DISTILL_PHASE_EVALUATE_BEFORE) {
                    before = e.getEvaluation();
                }
                if (e.hasEvaluation() && e.getPhase() == DistillPhase.DISTILL_PHASE_EVALUATE_AFTER) {
                    after = e.getEvaluation();
                }
                if (e.hasCollection()) {
                    collection = CollectionCommand.line(e.getCollection());
                }
                if (e.getStatus() == PhaseStatus.PHASE_STATUS_FAILED) {
                    bar.println("failed in " + shown + ": " + e.getMessage() + " (resume with --run-id " + id + ")");
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        return new Summary(id, before, after, collection);
    }
}
