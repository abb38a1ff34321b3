package dev.umarvel.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Scalars built natively in the operand's manager. The Number overloads of mul/div free their
 * temporary scalar while autograd still holds it, which gives random NaN gradients after a GC
 * (toolchain.md); everything here that is differentiated uses these instead.
 */
final class Scalars {

    private Scalars() {}

    static NDArray of(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, DataType.FLOAT32);
    }

    /** The mean of the diagonal of a square (B, B) matrix. */
    static NDArray diagonalMean(NDArray square) {
        long b = square.getShape().get(0);
        NDArray eye = square.getManager().eye((int) b);
        return square.mul(eye).sum().mul(of(square, 1f / b));
    }
}
