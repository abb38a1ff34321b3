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
        NDArray student = candidates.matMul(queries.expandDims(2)).squeeze(2).div(studentTau).logSoftmax(1); // (B, L)
        NDArray teacherLogp = teacherScores.div(teacherTau.stopGradient()).logSoftmax(1).stopGradient();     // (B, L)
        NDArray teacher = teacherLogp.exp();
        return teacher.mul(teacherLogp.sub(student)).sum(new int[] {1}).mean();
    }
}
