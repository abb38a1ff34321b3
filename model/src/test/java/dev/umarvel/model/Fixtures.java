package dev.umarvel.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.text.TextTokenizer;
import dev.umarvel.model.text.VocabularyBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Small, deterministic inputs shared by the model tests. */
final class Fixtures {

    static final List<String> COLOURS = List.of("red", "green", "blue", "yellow", "purple", "orange", "white", "black");
    static final List<String> SHAPES = List.of("circle", "square", "triangle", "star", "ring", "cross", "heart", "moon");

    private Fixtures() {}

    /** A tokenizer over a toy corpus of colours, shapes and a few instruction words. */
    static TextTokenizer tokenizer(Path dir) throws IOException {
        VocabularyBuilder builder = new VocabularyBuilder();
        for (String c : COLOURS) {
            for (String s : SHAPES) {
                builder.add("a " + c + " " + s + " on the left of the picture");
            }
        }
        builder.add("find the matching item for this description retrieve an image caption");
        Path file = dir.resolve("tokenizer.json");
        VocabularyBuilder.write(builder.vocabulary(10_000, 1), file);
        return TextTokenizer.load(file);
    }

    /** The tiny preset sized for {@code tokenizer}, freshly initialised from {@code seed}. */
    static Mllm tiny(NDManager manager, TextTokenizer tokenizer, long seed, ModelConfig.Attention attention) {
        return tiny(manager, tokenizer, seed, attention, ModelConfig.Layout.PRE_NORM);
    }

    static Mllm tiny(NDManager manager, TextTokenizer tokenizer, long seed, ModelConfig.Attention attention, ModelConfig.Layout layout) {
        Engine.getInstance().setRandomSeed((int) seed);
        Mllm model = new Mllm(ModelConfig.tiny().withVocabSize(tokenizer.vocabSize()).withAttention(attention).withLayout(layout));
        model.initialize(manager);
        return model;
    }

    /** A random image already in model input form, (3, S, S) in [-1, 1]. */
    static float[] image(int size, long seed) {
        Random random = new Random(seed);
        float[] pixels = new float[3 * size * size];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat() * 2 - 1;
        }
        return pixels;
    }
}
