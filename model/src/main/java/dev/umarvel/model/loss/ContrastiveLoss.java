package dev.umarvel.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * InfoNCE over L2-normalised embeddings: logits = cos / tau, cross-entropy against the matching
 * candidate (u-marvel.md section 4). Every method returns a scalar loss.
 */
public final class ContrastiveLoss {

    private ContrastiveLoss() {}

    /**
     * Query->candidate InfoNCE with in-batch negatives.
     *
     * @param queries (B, D), row i matches candidates row i
     * @param candidates (B, D)
     * @param tau temperature, shape (1,) or ()
     */
    public static NDArray queryToCandidate(NDArray queries, NDArray candidates, NDArray tau) {
        NDArray logits = queries.matMul(candidates.transpose()).div(tau); // (B, B)
        return Scalars.diagonalMean(logits.logSoftmax(1)).neg();
    }

    /** Query->candidate plus candidate->query, weights 1 and 1 (stage 2). */
    public static NDArray bidirectional(NDArray queries, NDArray candidates, NDArray tau) {
        NDArray logits = queries.matMul(candidates.transpose()).div(tau); // (B, B)
        NDArray forward = Scalars.diagonalMean(logits.logSoftmax(1));
        NDArray backward = Scalars.diagonalMean(logits.logSoftmax(0));
        return forward.add(backward).neg();
    }

    /**
     * In-batch negatives plus hard negatives, as the released code mixes them: each query sees every
     * positive of the batch and every hard negative of the batch,
     * logits = [Q.P^T | Q.H1^T | ... | Q.Hk^T], labels the diagonal of the first block.
     *
     * @param queries (B, D)
     * @param positives (B, D)
     * @param hardNegatives (B, K, D), row i holds query i's k hard negatives
     */
    public static NDArray withHardNegatives(NDArray queries, NDArray positives, NDArray hardNegatives, NDArray tau) {
        long b = queries.getShape().get(0);
        long d = queries.getShape().get(1);
        NDArray allHard = hardNegatives.reshape(-1, d);                         // (B*K, D)
        NDArray candidates = NDArrays.concat(new NDList(positives, allHard));   // (B + B*K, D)
        NDArray logp = queries.matMul(candidates.transpose()).div(tau).logSoftmax(1); // (B, B + B*K)
        NDArray positiveBlock = logp.get(":, :{}", b);                          // (B, B)
        return Scalars.diagonalMean(positiveBlock).neg();
    }

    /**
     * Ablation "hard negatives only": each query sees its own positive and its own k hard
     * negatives, nothing else of the batch.
     */
    public static NDArray hardNegativesOnly(NDArray queries, NDArray positives, NDArray hardNegatives, NDArray tau) {
        NDArray pos = queries.mul(positives).sum(new int[] {1}, true);                        // (B, 1)
        NDArray neg = hardNegatives.matMul(queries.expandDims(2)).squeeze(2);                 // (B, K)
        NDArray logp = NDArrays.concat(new NDList(pos, neg), 1).div(tau).logSoftmax(1);       // (B, 1 + K)
        return logp.get(":, 0").mean().neg();
    }
}
