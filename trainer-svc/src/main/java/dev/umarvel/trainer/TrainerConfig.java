package dev.umarvel.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;

/** trainer-svc settings (application.properties, prefix {@code umarvel}). */
@ConfigMapping(prefix = "umarvel")
public interface TrainerConfig {

    /** Store root: datasets, checkpoints, job records; every request path is relative to it. */
    Path store();

    Trainer trainer();

    interface Trainer {
        /** Jobs that may wait behind the running one. */
        @WithDefault("16")
        int queueCapacity();

        /** Resume jobs found running or queued in the store at start-up. */
        @WithDefault("true")
        boolean resumeOnStart();

        /**
         * Candidate sequences one DISTILL or CONTINUE_HARD step may embed (batch_size x list_size): the paper's
         * 64 lists of 50 need more than 22 GB with the small preset on CPU (the kernel killed the trainer at
         * 22 GB); 1024 fits in a few. Raise it on GPU nodes.
         */
        @WithDefault("1024")
        int maxListSequences();
    }
}
