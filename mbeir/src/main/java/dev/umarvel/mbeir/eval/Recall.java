package dev.umarvel.mbeir.eval;

import java.util.List;
import java.util.Set;

/** Recall@k as M-BEIR computes it: a hit rate, 1 when any relevant did is among the first k. */
public final class Recall {

    /** The k values every evaluation reports. */
    public static final List<Integer> KS = List.of(1, 5, 10, 50);

    private Recall() {}

    public static boolean hit(List<String> ranked, Set<String> relevant, int k) {
        int n = Math.min(k, ranked.size());
        for (int i = 0; i < n; i++) {
            if (relevant.contains(ranked.get(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The standard error, in points, of the difference of two recalls (in points) measured on {@code n} queries each: what
     * a different draw of queries would move it by (the binomial noise every comparison of two models is judged against).
     */
    public static double differenceNoise(double a, double b, int n) {
        double pa = a / 100;
        double pb = b / 100;
        return 100 * Math.sqrt((pa * (1 - pa) + pb * (1 - pb)) / n);
    }
}
