package dev.umarvel.mbeir.eval.baseline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/** The best k of a score per candidate, equal scores in a random (seeded) order. */
final class Ranking {

    private Ranking() {}

    static List<String> top(double[] scores, List<String> dids, int k, Random random) {
        double[] tieBreak = new double[scores.length];
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            tieBreak[i] = random.nextDouble();
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingDouble(i -> tieBreak[i]));
        List<String> out = new ArrayList<>(Math.min(k, order.length));
        for (int i = 0; i < Math.min(k, order.length); i++) {
            out.add(dids.get(order[i]));
        }
        return out;
    }
}
