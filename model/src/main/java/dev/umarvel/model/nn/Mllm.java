package dev.umarvel.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.umarvel.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The small multimodal LLM: a vision tower and projector feed image features into the positions
 * of the {@code <image>} tokens of a decoder-only language model. One network serves as
 * generative model (causal, LM head), embedder (bidirectional, pooled) and reranker (causal,
 * YES/NO logits at the last position); the attention mode comes with each input.
 */
public final class Mllm extends ConfiguredBlock {

    /** The parts that can be frozen or trained separately. */
    public enum Part { VISION, PROJECTOR, LANGUAGE, TEMPERATURE }

    private final ModelConfig config;
    private final VisionTower vision;
    private final Projector projector;
    private final LanguageModel language;
    private final Temperature temperature;

    public Mllm(ModelConfig config) {
        if (config.vocabSize() < 1) {
            throw new IllegalArgumentException("vocabSize is not set: use config.withVocabSize(tokenizer.vocabSize())");
        }
        this.config = config;
        this.vision = addChildBlock("vision", new VisionTower(config));
        this.projector = addChildBlock("projector", new Projector(config.visionWidth(), config.width()));
        this.language = addChildBlock("language", new LanguageModel(config));
        this.temperature = addChildBlock("temperature", new Temperature());
    }

    /** Initialises every parameter (shapes come from the config). */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1));
    }

    public ModelConfig config() {
        return config;
    }

    public Temperature temperature() {
        return temperature;
    }

    /** The name of the optional input that flags a reranker candidate's tokens found in its query (B, T). */
    public static final String MATCHED = "matched";

    /** The names of the optional image inputs: each position's image row, 0 for text (B, T), and the images (N, 3, S, S). */
    public static final String IMAGE_INDEX = "image_index";
    public static final String PIXELS = "pixels";

    /**
     * inputs [ids (B, T), bias (B, 1, T, T)], then named ones: {@link #IMAGE_INDEX} and {@link #PIXELS} when the batch has
     * images, {@link #MATCHED} when it flags exact matches -> hidden states (B, T, D).
     */
    public NDArray hidden(ParameterStore ps, NDList inputs, boolean training) {
        NDArray images = imageFeatures(ps, inputs, training);
        return language.apply(ps, inputs.get(0), inputs.get(1), images, inputs.get(MATCHED), training);
    }

    /**
     * Reranking with a shared prefix computed once: prefixes [ids (G, P), causal bias (G, 1, P, P),
     * image index, pixels] and suffixes [ids (N, S), bias (N, 1, S, P + S), image index, pixels],
     * suffix positions (N, S) continuing their prefix, prefixOf (N) -> the suffixes' hidden states
     * (N, S, D), equal to the full sequences' at those positions.
     */
    public NDArray hiddenAfterPrefix(ParameterStore ps, NDList prefixes, NDList suffixes, NDArray positions, NDArray prefixOf) {
        LanguageModel.Cache cache = language.prefix(ps, prefixes.get(0), prefixes.get(1), imageFeatures(ps, prefixes, false));
        return language.suffix(ps, suffixes.get(0), positions, suffixes.get(1), imageFeatures(ps, suffixes, false),
                suffixes.get(MATCHED), cache, prefixOf);
    }

    /** The image features placed at the {@code <image>} positions (B, T, D), or null when the inputs have no images. */
    private NDArray imageFeatures(ParameterStore ps, NDList inputs, boolean training) {
        NDArray pixels = inputs.get(PIXELS);
        if (pixels == null) {
            return null;
        }
        NDArray ids = inputs.get(0);
        NDArray index = inputs.get(IMAGE_INDEX);
        NDArray features = projector.apply(ps, vision.apply(ps, pixels, training), training);         // (N, P, D)
        NDArray rows = features.reshape(-1, config.width());                                          // (N*P, D)
        NDArray table = NDArrays.concat(new NDList(ids.getManager().zeros(new Shape(1, config.width())), rows)); // row 0: text
        return index.getNDArrayInternal().embedding(index, table, SparseFormat.DENSE).singletonOrThrow();  // (B, T, D)
    }

    /** hidden (B, T, D), readout (B, T) -> weighted sum (B, D). */
    public static NDArray readout(NDArray hidden, NDArray weights) {
        return weights.expandDims(1).matMul(hidden).squeeze(1);
    }

    /** The pooled, L2-normalised embedding (B, D). */
    public NDArray embed(ParameterStore ps, NDList inputs, NDArray poolWeights, boolean training) {
        return readout(hidden(ps, inputs, training), poolWeights).normalize(2, -1, 1e-12);
    }

    /** hidden (..., D) -> vocabulary logits (..., V) through the tied LM head. */
    public NDArray logits(ParameterStore ps, NDArray hidden, boolean training) {
        return language.logits(ps, hidden, training);
    }

    /**
     * Sets the vision tower's channel statistics (mean and standard deviation of each of R, G, B over
     * the training images, on the decoder's [-1, 1] scale). A model made without them uses 0 and 1.
     */
    public void setPixelStatistics(float[] mean, float[] std) {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("pixel statistics: 3 channels each, got " + mean.length + " and " + std.length);
        }
        for (float s : std) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("pixel statistics: standard deviations must be positive, got "
                        + java.util.Arrays.toString(std));
            }
        }
        vision.setPixelStatistics(mean, std);
    }

    /** Whether a parameter is one of the vision tower's fixed channel statistics (never trained). */
    public static boolean isPixelStatistic(String parameterName) {
        return parameterName.endsWith(VisionTower.PIXEL_MEAN) || parameterName.endsWith(VisionTower.PIXEL_STD);
    }

    /** Attaches a LoRA adapter to every linear layer of the language model; seeds differ per layer. */
    public void attachLora(NDManager manager, int rank, float alpha, float dropout, long seed) {
        List<LoraLinear> linears = language.linears();
        for (int i = 0; i < linears.size(); i++) {
            linears.get(i).attachLora(manager, rank, alpha, dropout, seed * 1_000_003L + i);
        }
    }

    /** Folds every adapter into its base weight and removes it. */
    public void mergeLora() {
        language.linears().forEach(LoraLinear::mergeLora);
    }

    /** Removes every adapter without merging. */
    public void detachLora() {
        language.linears().forEach(LoraLinear::detachLora);
    }

    public boolean hasLora() {
        return language.linears().stream().anyMatch(LoraLinear::hasLora);
    }

    /**
     * Sets which parameters train. With a LoRA adapter attached, "LANGUAGE" means the adapters and
     * the base weights of the language model stay frozen, as in the recipe.
     */
    public void setTrainable(Part part, boolean trainable) {
        ai.djl.nn.Block block = switch (part) {
            case VISION -> vision;
            case PROJECTOR -> projector;
            case LANGUAGE -> language;
            case TEMPERATURE -> temperature;
        };
        boolean adapters = part == Part.LANGUAGE && hasLora();
        for (Pair<String, Parameter> p : block.getParameters()) {
            boolean isAdapter = p.getValue().getName().startsWith("lora_");
            boolean fixed = isPixelStatistic(p.getValue().getName());
            p.getValue().freeze(fixed || !(trainable && (!adapters || isAdapter)));
        }
    }

    /** Every parameter that currently trains, by its full name. */
    public List<Pair<String, Parameter>> trainableParameters() {
        List<Pair<String, Parameter>> out = new ArrayList<>();
        for (Pair<String, Parameter> p : getParameters()) {
            if (p.getValue().requiresGradient()) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(hidden(ps, inputs, training));
    }
}
