package dev.umarvel.recipe.data;

import java.util.Random;

/**
 * Two views of one text for the text-to-text term of the text-alignment stage: independent random
 * spans of its words, Contriever's "independent cropping". Among the batch's other texts, what ties
 * two spans of one passage together are the words few other texts share (a name, a year), so a
 * model learned from scratch learns to carry them into its embedding: without it, question-to-passage
 * retrieval by entity name stayed at chance on M-BEIR-synth (docs/training.md).
 */
public final class TextViews {

    /** Texts shorter than this give no views: a span of a short text is most of the text. */
    public static final int MIN_WORDS = 6;

    private TextViews() {}

    /** A random contiguous span of at least half of the text's words (all of them at most). */
    public static String crop(String text, Random random) {
        String[] words = words(text);
        int n = words.length;
        int length = (n + 1) / 2 + random.nextInt(n - (n + 1) / 2 + 1);   // in [ceil(n/2), n]
        int start = random.nextInt(n - length + 1);
        return String.join(" ", java.util.Arrays.copyOfRange(words, start, start + length));
    }

    /** Whether a text is long enough to be cropped into views. */
    public static boolean croppable(String text) {
        return text != null && words(text).length >= MIN_WORDS;
    }

    private static String[] words(String text) {
        return text.trim().split("\\s+");
    }
}
