package dev.umarvel.mbeir.synth;

import java.util.Locale;

/**
 * How big a generated dataset is, per task: training, validation and test queries, extra pool
 * candidates, stage-1/2 pairs, entities, and (large only) a bank of pictures distractors reuse.
 */
public enum SynthSize {
    /** Unit tests: seconds. */
    TINY(24, 8, 16, 12, 64, 60, 0),
    /** The quickstart and the findings: tens of thousands of training queries. */
    SMALL(2000, 100, 250, 250, 10_000, 800, 0),
    /** Scale benchmarks: about a million candidates (distractor pictures drawn from a bank of 3000). */
    LARGE(2000, 100, 500, 62_000, 10_000, 800, 3000);

    public final int train;
    public final int val;
    public final int test;
    public final int distractors;
    public final int pairs;
    public final int entities;
    public final int imageBank;

    SynthSize(int train, int val, int test, int distractors, int pairs, int entities, int imageBank) {
        this.train = train;
        this.val = val;
        this.test = test;
        this.distractors = distractors;
        this.pairs = pairs;
        this.entities = entities;
        this.imageBank = imageBank;
    }

    public static SynthSize parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown size '" + s + "': expected tiny, small or large");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
