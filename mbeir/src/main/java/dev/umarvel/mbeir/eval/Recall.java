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
}
