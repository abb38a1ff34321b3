package dev.umarvel.recipe;

/** Thrown inside a job when cancellation was requested; its last checkpoint stays on disk. */
public final class JobCancelledException extends RuntimeException {

    public JobCancelledException(long step) {
        super("cancelled by request at step " + step);
    }
}
