package dev.umarvel.recipe;

import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.TextNormalizer;
import dev.umarvel.mbeir.eval.Encoder;
import dev.umarvel.mbeir.eval.QueryInput;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.model.image.ImageDecoder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The evaluator's encoder backed by an in-process model: M-BEIR lines become model items. */
public final class ModelEncoder implements Encoder {

    private final Inference inference;
    private final MbeirLayout layout;
    private final ImageDecoder images;

    public ModelEncoder(Inference inference, MbeirLayout layout) {
        this.inference = inference;
        this.layout = layout;
        this.images = new ImageDecoder(inference.config().imageSize());
    }

    @Override
    public float[][] queries(List<QueryInput> batch) throws Exception {
        List<Item> items = new ArrayList<>(batch.size());
        for (QueryInput q : batch) {
            items.add(Item.query(q.instruction(), TextNormalizer.format(q.query().queryTxt()), image(q.query().queryImgPath())));
        }
        return inference.embed(items, true).vectors();
    }

    @Override
    public float[][] candidates(List<MbeirCandidate> batch) throws Exception {
        List<Item> items = new ArrayList<>(batch.size());
        for (MbeirCandidate c : batch) {
            items.add(Item.candidate(TextNormalizer.format(c.txt()), image(c.imgPath())));
        }
        return inference.embed(items, true).vectors();
    }

    private float[] image(String relative) throws Exception {
        if (relative == null) {
            return null;
        }
        return images.decode(Files.readAllBytes(layout.image(relative)), null);
    }
}
