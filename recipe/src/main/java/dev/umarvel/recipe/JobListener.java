package dev.umarvel.recipe;

import dev.umarvel.mbeir.eval.EvaluationResult;

/** What a running job reports; the trainer service turns these into JobEvents, the CLI into a progress bar. */
public interface JobListener {

    /** Progress of training, sent every few steps. */
    record Progress(long step, long totalSteps, double epoch, double loss, double temperature, double learningRate,
            double examplesPerSecond, double etaSeconds) {}

    /** A checkpoint is complete on disk. */
    record CheckpointWritten(String path, long step, String hash, String stage, String parent, boolean isFinal) {}

    void progress(Progress p);

    void checkpoint(CheckpointWritten c);

    void evaluation(EvaluationResult result);

    void log(String message);

    /** A training loop ended; where its time went. */
    default void finished(TrainingRun.Timings timings) {}

    /** A listener that ignores everything. */
    JobListener SILENT = new JobListener() {
        @Override
        public void progress(Progress p) {}

        @Override
        public void checkpoint(CheckpointWritten c) {}

        @Override
        public void evaluation(EvaluationResult result) {}

        @Override
        public void log(String message) {}
    };
}
