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
 * The vision encoder: cuts an image into square patches, embeds each patch with a linear map and a
 * learned position, and lets the patches attend to each other (bidirectionally) for a few layers.
 */
public final class VisionTower extends ConfiguredBlock {

    private final int imageSize;
    private final int patchSize;
    private final int patches;
    private final LoraLinear patchEmbedding;
    private final Parameter positions;
    private final List<TransformerLayer> layers = new ArrayList<>();
    private final LayerNorm norm;

    VisionTower(ModelConfig c) {
        this.imageSize = c.imageSize();
        this.patchSize = c.patchSize();
        this.patches = c.imageTokens();
        this.patchEmbedding = addChildBlock("patch_embedding", new LoraLinear(c.patchValues(), c.visionWidth(), true));
        this.positions = weight("positions", INIT_STD, patches, c.visionWidth());
        for (int i = 0; i < c.visionLayers(); i++) {
            layers.add(addChildBlock("layer" + i, new TransformerLayer(c.visionWidth(), c.visionHeads(),
                    4 * c.visionWidth(), c.dropout())));
        }
        this.norm = addChildBlock("norm", new LayerNorm(c.visionWidth()));
    }

    /** pixels (N, 3, S, S) -> patch features (N, P, Dv) */
    NDArray apply(ParameterStore ps, NDArray pixels, boolean training) {
        long n = pixels.getShape().get(0);
        int side = imageSize / patchSize;
        NDArray patchValues = pixels
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

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, in.singletonOrThrow(), training));
    }
}
