package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.umarvel.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The vision encoder: standardises each colour channel with statistics of the training images, cuts
 * the image into square patches, embeds each patch with a linear map and a learned position, and
 * lets the patches attend to each other (bidirectionally) for a few layers.
 *
 * <p>The channel statistics are part of the model (never trained; set once from the training images
 * when a model is created, as CLIP's preprocessing constants were measured on its data). Without
 * them, a dataset of bright scenes reaches the tower as a large common offset: on M-BEIR-synth the
 * raw pixels of two images have a mean cosine of 0.87, and the untrained tower's pooled features
 * 0.998, so the contrastive stages start from images that all look alike (docs/training.md).
 */
public final class VisionTower extends ConfiguredBlock {

    private final int imageSize;
    private final int patchSize;
    private final int patches;
    private final Parameter pixelMean;
    private final Parameter pixelStd;
    private final LoraLinear patchEmbedding;
    private final Parameter positions;
    private final List<TransformerLayer> layers = new ArrayList<>();
    private final LayerNorm norm;

    /** Names of the channel statistics: fixed inputs, never trained. */
    static final String PIXEL_MEAN = "pixel_mean";
    static final String PIXEL_STD = "pixel_std";

    VisionTower(ModelConfig c) {
        this.imageSize = c.imageSize();
        this.patchSize = c.patchSize();
        this.patches = c.imageTokens();
        this.pixelMean = constant(PIXEL_MEAN, Parameter.Type.RUNNING_MEAN, 0f, 3);   // identity until set
        this.pixelStd = constant(PIXEL_STD, Parameter.Type.RUNNING_VAR, 1f, 3);
        this.patchEmbedding = addChildBlock("patch_embedding", new LoraLinear(c.patchValues(), c.visionWidth(), true));
        this.positions = weight("positions", INIT_STD, patches, c.visionWidth());
        for (int i = 0; i < c.visionLayers(); i++) {
            layers.add(addChildBlock("layer" + i, new TransformerLayer(c.visionWidth(), c.visionHeads(),
                    4 * c.visionWidth(), c.dropout(), ModelConfig.Layout.PRE_NORM)));
        }
        this.norm = addChildBlock("norm", new LayerNorm(c.visionWidth(), ModelConfig.Layout.PRE_NORM.eps()));
    }

    /** pixels (N, 3, S, S) -> patch features (N, P, Dv) */
    NDArray apply(ParameterStore ps, NDArray pixels, boolean training) {
        long n = pixels.getShape().get(0);
        int side = imageSize / patchSize;
        NDArray mean = ps.getValue(pixelMean, pixels.getDevice(), training).reshape(1, 3, 1, 1);
        NDArray std = ps.getValue(pixelStd, pixels.getDevice(), training).reshape(1, 3, 1, 1);
        NDArray standard = pixels.sub(mean).div(std);                      // (N, 3, S, S), each channel ~ (0, 1)
        NDArray patchValues = standard
                .reshape(n, 3, side, patchSize, side, patchSize)    // (N, 3, gy, py, gx, px)
                .transpose(0, 2, 4, 3, 5, 1)                        // (N, gy, gx, py, px, 3)
                .reshape(n, patches, (long) patchSize * patchSize * 3); // (N, P, p*p*3)
        NDArray x = patchEmbedding.apply(ps, patchValues, training);    // (N, P, Dv)
        NDArray order = pixels.getManager().arange(0, patches, 1, DataType.INT64);
        NDArray pos = ps.getValue(positions, pixels.getDevice(), training);
        x = x.add(order.getNDArrayInternal().embedding(order, pos, SparseFormat.DENSE).singletonOrThrow()); // + (P, Dv)
        for (TransformerLayer layer : layers) {
            x = layer.apply(ps, x, null, training); // patches see each other: no mask at all
        }
        return norm.apply(ps, x);
    }

    /** Sets the channel statistics (each of 3 values, of pixels in [-1, 1]). */
    void setPixelStatistics(float[] mean, float[] std) {
        try (NoGrad g = NoGrad.scope()) {
            pixelMean.getArray().set(mean);
            pixelStd.getArray().set(std);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, in.singletonOrThrow(), training));
    }
}
