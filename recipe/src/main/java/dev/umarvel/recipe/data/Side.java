package dev.umarvel.recipe.data;

import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.TextNormalizer;

/** One side of a training example as stored: text and an image path (relative to the dataset root), either may be null. */
public record Side(String text, String imagePath) {

    public static Side of(MbeirCandidate c) {
        return new Side(c.txt(), c.imgPath());
    }

    public static Side of(MbeirQuery q) {
        return new Side(q.queryTxt(), q.queryImgPath());
    }

    /** The text as the model reads it (M-BEIR's format_string), "" when there is none. */
    public String formattedText() {
        return TextNormalizer.format(text);
    }
}
