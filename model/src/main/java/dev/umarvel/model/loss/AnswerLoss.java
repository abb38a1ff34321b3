package dev.umarvel.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

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

    /**
     * Cross-entropy of the answer between the two answers only, -log softmax([logit_Yes, logit_No])[answer]: the very
     * P(Yes) the reranker is scored by. For an imported encoder, whose last states were never trained to predict words
     * through the tied embeddings, the whole-vocabulary loss spends its first ~40 steps only moving mass onto the two
     * answers (docs/pretrained.md).
     *
     * @param answers (B,) int64 token ids of the right answer, each yesId or noId
     */
    public static NDArray crossEntropyOverAnswers(NDArray logits, NDArray answers, int yesId, int noId) {
        NDArray two = logits.get(":, {}", yesId).expandDims(1).concat(logits.get(":, {}", noId).expandDims(1), 1); // (B, 2)
        NDArray isNo = answers.eq(noId).toType(DataType.INT64, false);                     // (B,) 0 = Yes, 1 = No
        return crossEntropy(two, isNo);
    }

    /**
     * Localized contrastive estimation (Gao, Dai and Callan 2021): each query's group holds its positive first and then
     * mined negatives; the positive's cross-entropy among the group's log-odds logit_Yes - logit_No, the very quantity
     * P(Yes) = sigmoid(logit_Yes - logit_No) ranks by. A pointwise Yes/No loss teaches each pair on its own; this one
     * teaches the order within a retriever's top list, which is what a cascade asks of the reranker.
     *
     * @param logits (Q * G, V) vocabulary logits, query by query, each query's positive first
     * @param group G, the pairs of one query
     */
    public static NDArray listwise(NDArray logits, int yesId, int noId, int group) {
        NDArray logOdds = logits.get(":, {}", yesId).sub(logits.get(":, {}", noId)); // (Q * G,)
        NDArray perQuery = logOdds.reshape(-1, group);                                // (Q, G)
        return perQuery.logSoftmax(1).get(":, 0").mean().neg();
    }

    /** (B, V) logits -> (B,) P(Yes) from the two answer logits only. */
    public static NDArray probabilityYes(NDArray logits, int yesId, int noId) {
        NDArray yes = logits.get(":, {}", yesId).expandDims(1);
        NDArray no = logits.get(":, {}", noId).expandDims(1);
        return yes.concat(no, 1).softmax(1).get(":, 0");
    }
}
