package dev.umarvel.bench;

import java.util.Arrays;

/** Median wall time of repeated runs after warm-up; machines are noisy, so medians, not means. */
final class Timing {

    /** Work that may throw. */
    interface Work {
        void run() throws Exception;
    }

    /** Work that times its own critical section and returns it in seconds. */
    interface Measured {
        double run() throws Exception;
    }

    private Timing() {}

    /** Median of the seconds each run reports about itself. */
    static double medianReported(int warmup, int runs, Measured work) throws Exception {
        for (int i = 0; i < warmup; i++) {
            work.run();
        }
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++) {
            seconds[i] = work.run();
        }
        Arrays.sort(seconds);
        return seconds[runs / 2];
    }

    /** Median seconds per run. */
    static double median(int warmup, int runs, Work work) throws Exception {
        for (int i = 0; i < warmup; i++) {
            work.run();
        }
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            work.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds[runs / 2];
    }
}
