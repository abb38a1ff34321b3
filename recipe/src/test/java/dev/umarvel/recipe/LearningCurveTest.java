package dev.umarvel.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When a learning-curve point says the run is not learning. */
class LearningCurveTest {

    static JobListener.CurvePoint point(long step, double loss, double cosine) {
        return new JobListener.CurvePoint(step, loss, Math.log(64), 10, cosine);
    }

    @Test
    void theLossAtItsChanceLevelOrCollapsedEmbeddingsPastWarmUpAreProblems() {
        // measured on small: stage 3 at 4.1677 at step 100 of 300 against ln 64 = 4.1589, pairwise cosine 0.998
        assertEquals(List.of("chance_loss", "collapse"), LearningCurve.problems(point(100, 4.1677, 0.998), 300));
        assertEquals(List.of("chance_loss"), LearningCurve.problems(point(100, 4.10, 0.5), 300), "within 2 % of chance");
        assertEquals(List.of(), LearningCurve.problems(point(100, 4.0, 0.5), 300), "3.8 % below chance: learning");
        assertEquals(List.of("collapse"), LearningCurve.problems(point(100, 3.0, 0.91), 300));
        assertEquals(List.of(), LearningCurve.problems(point(50, 4.2, 0.999), 300), "during warm-up (the first 20 %)");
        assertEquals(List.of(), LearningCurve.problems(new JobListener.CurvePoint(100, 4.2, Double.NaN, Double.NaN, Double.NaN), 300),
                "nothing to compare with: no chance level, no probe");
    }
}
