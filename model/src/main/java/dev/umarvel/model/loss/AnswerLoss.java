package dev.umarvel.model.loss;

import ai.djl.ndarray.NDArray;

/**
 * The reranker's objective and score: next-token cross-entropy on the answer token only, and
 * P(Yes) = softmax([logit_Yes, logit_No])[0] (u-marvel.md section 6).
 */
public final class AnswerLoss {

    private AnswerLoss() {}

    /**
     * @param logits (B, V) vocabulary logits at the position that predicts the answer
     * @param answers (B,) int64 token ids of the right answer ("Yes" or "No")
     */
    public static NDArray crossEntropy(NDArray logits, NDArray answers) {
        NDArray logp = logits.logSoftmax(1);                         // (B, V)
        NDArray picked = logp.gather(answers.expandDims(1), 1);      // (B, 1)
        return picked.mean().neg();
    }

    /** (B, V) logits -> (B,) P(Yes) from the two answer logits only. */
    public static NDArray probabilityYes(NDArray logits, int yesId, int noId) {
        NDArray yes = logits.get(":, {}", yesId).expandDims(1);
        NDArray no = logits.get(":, {}", noId).expandDims(1);
        return yes.concat(no, 1).softmax(1).get(":, 0");
    }
}
