package dev.umarvel.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.umarvel.model.nn.Mllm;

/**
 * A batch of laid-out sequences in host memory, padded to the longest one.
 *
 * @param batch sequences B
 * @param time positions T (the longest sequence)
 * @param tokens (B, T) token ids, padded with {@code <pad>}
 * @param lengths non-padding positions of each sequence
 * @param readout (B, T) weights that turn hidden states into one vector per sequence: the pooling
 *     weights for embeddings (rows sum to 1), a one-hot of the last position for the reranker
 * @param imageIndex (B, T) 0 for text positions, 1 + row of the image-feature table for image positions
 * @param pixels (N, 3, S, S) the batch's images, in the order their tokens appear
 * @param images N
 * @param targets (B, T) next-token targets for language modelling, -1 where no loss applies; null otherwise
 * @param truncated which sequences lost text to the token limit
 * @param matched (B, T) 1 on a reranker candidate's text token that also occurs in its query's text, else 0; null for
 *     sequences that are not reranker pairs
 */
public record SequenceBatch(int batch, int time, long[] tokens, int[] lengths, float[] readout, long[] imageIndex,
        float[] pixels, int images, long[] targets, boolean[] truncated, float[] matched) {

    /** Additive attention bias for blocked pairs: large enough to zero a softmax weight, finite so no NaN appears. */
    static final float BLOCKED = -1e9f;

    /**
     * The model's input list: ids (B, T), attention bias (B, 1, T, T), and when the batch has images,
     * the image index (B, T) and pixels (N, 3, S, S) named {@link Mllm#IMAGE_INDEX} and {@link Mllm#PIXELS}; for
     * reranker pairs, the exact-match flags (B, T) named {@link Mllm#MATCHED}.
     */
    public NDList inputs(NDManager manager, ModelConfig.Attention attention, int imageSize) {
        NDList out = new NDList(manager.create(tokens, new Shape(batch, time)),
                manager.create(attentionBias(attention), new Shape(batch, 1, time, time)));
        if (images > 0) {
            out.add(named(manager.create(imageIndex, new Shape(batch, time)), Mllm.IMAGE_INDEX));
            out.add(named(manager.create(pixels, new Shape(images, 3, imageSize, imageSize)), Mllm.PIXELS));
        }
        if (matched != null) {
            out.add(named(manager.create(matched, new Shape(batch, time)), Mllm.MATCHED));
        }
        return out;
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }

    /** (B, T) readout weights. */
    public NDArray readout(NDManager manager) {
        return manager.create(readout, new Shape(batch, time));
    }

    /** (B, T) next-token targets. */
    public NDArray targets(NDManager manager) {
        if (targets == null) {
            throw new IllegalStateException("this batch was not laid out for language modelling");
        }
        return manager.create(targets, new Shape(batch, time));
    }

    /** Padding keys are always hidden; with causal attention so are later positions. */
    float[] attentionBias(ModelConfig.Attention attention) {
        float[] bias = new float[batch * time * time];
        boolean causal = attention == ModelConfig.Attention.CAUSAL;
        for (int b = 0; b < batch; b++) {
            int len = lengths[b];
            for (int i = 0; i < time; i++) {
                int row = (b * time + i) * time;
                for (int j = 0; j < time; j++) {
                    if (j >= len || (causal && j > i)) {
                        bias[row + j] = BLOCKED;
                    }
                }
            }
        }
        return bias;
    }
}
