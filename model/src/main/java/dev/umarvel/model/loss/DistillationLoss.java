package dev.umarvel.model.loss;

import ai.djl.ndarray.NDArray;

/**
 * Distillation of the cascade into the embedder (u-marvel.md section 8): over each query's list
 * of L candidates, student logits cos(q, c_j) / tau and teacher logits fused_j / tau (detached);
 * loss = KL(teacher || student), averaged over queries. No in-batch term.
 */
public final class DistillationLoss {

    private DistillationLoss() {}

    /**
     * @param queries (B, D) student query embeddings
     * @param candidates (B, L, D) student embeddings of each query's list
     * @param teacherScores (B, L) fused teacher scores
     * @param tau temperature (shared by teacher and student; the teacher side is not differentiated)
     */
    public static NDArray kl(NDArray queries, NDArray candidates, NDArray teacherScores, NDArray tau) {
        return kl(queries, candidates, teacherScores, tau, tau);
    }

    /** As above with separate temperatures; the teacher's is never differentiated. */
    public static NDArray kl(NDArray queries, NDArray candidates, NDArray teacherScores, NDArray studentTau,
            NDArray teacherTau) {
        return kl(queries, candidates, teacherScores, studentTau, teacherTau, null);
    }

    /**
     * As above over lists of unequal length: {@code padding} (B, L) is 0 where a list has a candidate and {@link #PADDED}
     * where it ran out, so a padded slot has no probability on either side (a repeated candidate would count twice).
     */
    public static NDArray kl(NDArray queries, NDArray candidates, NDArray teacherScores, NDArray studentTau, NDArray teacherTau,
            NDArray padding) {
        NDArray studentLogits = candidates.matMul(queries.expandDims(2)).squeeze(2).div(studentTau);        // (B, L)
        NDArray teacherLogits = teacherScores.div(teacherTau.stopGradient());                               // (B, L)
        if (padding != null) {
            studentLogits = studentLogits.add(padding);
            teacherLogits = teacherLogits.add(padding);
        }
        NDArray student = studentLogits.logSoftmax(1);
        NDArray teacherLogp = teacherLogits.logSoftmax(1).stopGradient();
        NDArray teacher = teacherLogp.exp();
        return teacher.mul(teacherLogp.sub(student)).sum(new int[] {1}).mean();
    }

    /** The additive logit of a padded list slot: exp of it is 0 in float32, and it stays finite. */
    public static final float PADDED = -1e4f;
}
