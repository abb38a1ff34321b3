package dev.umarvel.mbeir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The one definition of the score a cascade ranks by, which the orchestrator, the trainer's evaluation and the teacher share. */
class CascadeScoreTest {

    @Test
    void aFiniteWeightAddsWeightedPYesAndAnInfiniteOneIsPYesAlone() {
        assertEquals(0.525, TeacherFile.Scored.cascadeScore(0.5, 0.25, 0.1), 1e-12);
        assertEquals(0.25, TeacherFile.Scored.cascadeScore(0.5, 0.25, Double.POSITIVE_INFINITY), 0);
        assertEquals(0.0, TeacherFile.Scored.cascadeScore(0.5, 0.0, Double.POSITIVE_INFINITY), 0, "not inf * 0 = NaN");
        TeacherFile.Scored s = TeacherFile.Scored.fused("d1", 0.5f, 0.25f, Double.POSITIVE_INFINITY);
        assertEquals(0.25f, s.teacher(), 0f, "a teacher the student's softmax can take");
        assertEquals(0.5f + 0.1f * 0.25f, TeacherFile.Scored.fused("d1", 0.5f, 0.25f, 0.1).teacher(), 1e-7f);
    }
}
