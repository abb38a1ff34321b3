package dev.umarvel.model.io;

/** A checkpoint that cannot be used, and whether its bytes are damaged (services: DATA_LOSS) or it just does not fit. */
public final class CheckpointException extends Exception {

    /** What is wrong. */
    public enum Kind {
        /** No checkpoint at that path. */
        MISSING,
        /** A file's content does not match the manifest's hash. */
        CORRUPT,
        /** The checkpoint is intact but does not fit what was asked (config, kind). */
        INCOMPATIBLE
    }

    private final Kind kind;

    public CheckpointException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public CheckpointException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
