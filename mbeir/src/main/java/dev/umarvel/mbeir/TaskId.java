package dev.umarvel.mbeir;

/** M-BEIR task ids: the pair of query and candidate modality (UniIR's MBEIR_TASK). */
public final class TaskId {

    private TaskId() {}

    /** The task id of a query modality and the modality of its first positive candidate. */
    public static int of(Modality query, Modality candidate) {
        return switch (query) {
            case TEXT -> switch (candidate) {
                case IMAGE -> 0;
                case TEXT -> 1;
                case IMAGE_TEXT -> 2;
            };
            case IMAGE -> switch (candidate) {
                case TEXT -> 3;
                case IMAGE -> 4;
                case IMAGE_TEXT -> 5; // declared "not valid" by UniIR; never used
            };
            case IMAGE_TEXT -> switch (candidate) {
                case TEXT -> 6;
                case IMAGE -> 7;
                case IMAGE_TEXT -> 8;
            };
        };
    }

    /** The query modality of a task id. */
    public static Modality queryModality(int taskId) {
        return switch (taskId) {
            case 0, 1, 2 -> Modality.TEXT;
            case 3, 4, 5 -> Modality.IMAGE;
            case 6, 7, 8 -> Modality.IMAGE_TEXT;
            default -> throw new IllegalArgumentException("unknown task id " + taskId);
        };
    }

    /** The candidate modality of a task id. */
    public static Modality candidateModality(int taskId) {
        return switch (taskId) {
            case 0, 4, 7 -> Modality.IMAGE;
            case 1, 3, 6 -> Modality.TEXT;
            case 2, 5, 8 -> Modality.IMAGE_TEXT;
            default -> throw new IllegalArgumentException("unknown task id " + taskId);
        };
    }
}
