package dev.umarvel.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Next-token cross-entropy for generative pre-training, over the positions that have a target. */
public final class LanguageModelLoss {

    private LanguageModelLoss() {}

    /**
     * @param logits (B, T, V)
     * @param targets (B, T) int64 next-token ids, -1 where no loss applies
     */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        NDArray valid = targets.gte(0).toType(DataType.FLOAT32, false);         // (B, T)
        NDArray safe = targets.maximum(targets.zerosLike());                     // -1 -> 0, masked below
        NDArray picked = logits.logSoftmax(2).gather(safe.expandDims(2), 2).squeeze(2); // (B, T)
        return picked.mul(valid).sum().div(valid.sum()).neg();
    }
}
