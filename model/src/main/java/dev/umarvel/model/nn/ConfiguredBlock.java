package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;

/**
 * A block whose parameter shapes all come from the model config, so initialising it needs no
 * input shapes: children are initialised in turn and every parameter knows its own shape.
 */
abstract class ConfiguredBlock extends AbstractBlock {

    /** GPT-2's initial weight scale: small enough that the residual stream starts near identity. */
    static final float INIT_STD = 0.02f;

    ConfiguredBlock() {
        super((byte) 1);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block child : getChildren().values()) {
            child.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " shapes follow the model config");
    }

    /** A weight drawn from N(0, std^2). */
    final Parameter weight(String name, float std, long... shape) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(shape)).optInitializer(new NormalInitializer(std)).build());
    }

    /** A parameter filled with one value (biases 0, norm gains 1). */
    final Parameter constant(String name, Parameter.Type type, float value, long... shape) {
        return addParameter(Parameter.builder().setName(name).setType(type).optShape(new Shape(shape))
                .optInitializer(new ConstantInitializer(value)).build());
    }

    /**
     * A scalar in {@code like}'s manager. The Number overloads of mul/div free their temporary
     * scalar while autograd still holds it (toolchain.md), so differentiated code uses this.
     */
    static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, DataType.FLOAT32);
    }
}
