package dev.umarvel.recipe;

import dev.umarvel.mbeir.eval.EvaluationResult;

/** What a running job reports; the trainer service turns these into JobEvents, the CLI into a progress bar. */
public interface JobListener {

    /** Progress of training, sent every few steps. */
    record Progress(long step, long totalSteps, double epoch, double loss, double temperature, double learningRate,
            double examplesPerSecond, double etaSeconds) {}

    /** A checkpoint is complete on disk. */
    record CheckpointWritten(String path, long step, String hash, String stage, String parent, boolean isFinal) {}

    /**
     * A point of the learning curve: the mean loss since the previous point and its chance level (NaN for a
     * non-contrastive stage), validation recall on the probe and the collapse measure (NaN where not measured).
     */
    record CurvePoint(long step, double loss, double chanceLoss, double valRecall, double meanPairwiseCosine) {}

    // every event is optional to a listener: each defaults to ignoring it

    default void progress(Progress p) {}

    default void checkpoint(CheckpointWritten c) {}

    default void evaluation(EvaluationResult result) {}

    default void log(String message) {}

    default void curve(CurvePoint point) {}

    /** The run goes on, but something says it is not learning: {@code kind} is "collapse", "chance_loss" or "false_negatives". */
    default void warning(String kind, String message) {}

    /** The job enters a phase: "checkpoint-write" while a periodic checkpoint is being written. Must not block for long. */
    default void phase(String name) {}

    /** A training loop ended; where its time went. */
    default void finished(TrainingRun.Timings timings) {}

    /** A listener that ignores everything. */
    JobListener SILENT = new JobListener() {};
}
