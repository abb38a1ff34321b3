package dev.umarvel.mbeir.synth;

import dev.umarvel.mbeir.EvalTask;
import java.util.Random;

/** Makes the examples and pool distractors of one M-BEIR-synth task. */
interface TaskSource {

    EvalTask task();

    /** One query with its positives and hard negatives; {@code split} picks e.g. which entities are used. */
    Example example(Random random, String split);

    /** A random candidate of the task's candidate modality, filling the pool. */
    Content distractor(Random random);
}
