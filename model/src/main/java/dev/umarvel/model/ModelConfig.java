package dev.umarvel.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything that defines a model: its shapes (which decide the parameters) and how it turns a
 * sequence into an embedding (which may change from stage to stage on the same weights).
 *
 * <p>Like nanoGPT's GPTConfig: one record, presets below, a reason beside each default.
 *
 * @param preset name of the preset it came from ("tiny", "small", "base") or "custom"
 * @param vocabSize tokens in the vocabulary; set from the tokenizer with {@link #withVocabSize}
 * @param width language model width D
 * @param layers language model transformer layers
 * @param heads attention heads of the language model (divides width)
 * @param mlpWidth hidden width of each feed-forward block
 * @param maxTokens positions per sequence: instruction + image tokens + text (+ prompts)
 * @param imageSize images are resized to imageSize x imageSize RGB
 * @param patchSize square patch side; (imageSize / patchSize)^2 image tokens per image
 * @param visionWidth width of the vision tower
 * @param visionLayers transformer layers of the vision tower
 * @param visionHeads attention heads of the vision tower
 * @param maxImages images one sequence may hold (the reranker's query + candidate need 2)
 * @param dropout dropout inside the network (not LoRA's own dropout)
 * @param attention causal or bidirectional attention in the language model
 * @param pooling how hidden states become one vector
 * @param instructionMasking leave instruction positions out of the pool
 * @param compressionPrompt append "Summarize above ... in one word: <emb>" before pooling
 * @param layout where the language model's norms sit: our own pre-norm stack, or an imported BERT's
 */
public record ModelConfig(
        String preset,
        int vocabSize,
        int width,
        int layers,
        int heads,
        int mlpWidth,
        int maxTokens,
        int imageSize,
        int patchSize,
        int visionWidth,
        int visionLayers,
        int visionHeads,
        int maxImages,
        float dropout,
        Attention attention,
        Pooling pooling,
        boolean instructionMasking,
        boolean compressionPrompt,
        Layout layout) {

    /** How positions of the language model see each other. */
    public enum Attention {
        /** Every position sees every non-padding position: U-MARVEL's embedder. */
        BIDIRECTIONAL,
        /** Each position sees itself and earlier positions: generative model and reranker. */
        CAUSAL
    }

    /** How a sequence of hidden states becomes one vector. */
    public enum Pooling {
        /** Mean over the pooled positions (U-MARVEL). */
        MEAN,
        /** Hidden state of the last non-padding position (LamRA-style baseline). */
        LAST_TOKEN
    }

    /** Where the language model's layer norms sit (the vision tower is always {@link #PRE_NORM}). */
    public enum Layout {
        /** GPT-2's: x + f(norm(x)) in each layer, one norm at the end (eps 1e-5); the from-scratch presets. */
        PRE_NORM(1e-5f),
        /**
         * BERT's: norm(x + f(x)) in each layer, a norm over the summed embeddings, none at the end (eps 1e-12);
         * the layout of an imported pretrained encoder (its token-type embedding of type 0 folded into the positions).
         */
        BERT(1e-12f);

        private final float eps;

        Layout(float eps) {
            this.eps = eps;
        }

        /** The layer norms' epsilon the weights were trained with. */
        public float eps() {
            return eps;
        }
    }

    public ModelConfig {
        if (layout == null) {
            layout = Layout.PRE_NORM; // configs written before imported backbones
        }
        List<String> errors = new ArrayList<>();
        if (vocabSize < 0) errors.add("vocabSize must be >= 0 (0 = not yet set), got " + vocabSize);
        if (width < 1 || layers < 1 || heads < 1 || mlpWidth < 1) errors.add("width, layers, heads and mlpWidth must be >= 1");
        if (heads >= 1 && width % heads != 0) errors.add("width " + width + " is not divisible by heads " + heads);
        if (visionWidth < 1 || visionLayers < 1 || visionHeads < 1) errors.add("vision width, layers and heads must be >= 1");
        if (visionHeads >= 1 && visionWidth % visionHeads != 0) {
            errors.add("visionWidth " + visionWidth + " is not divisible by visionHeads " + visionHeads);
        }
        if (patchSize < 1 || imageSize < patchSize || imageSize % patchSize != 0) {
            errors.add("imageSize " + imageSize + " must be a positive multiple of patchSize " + patchSize);
        }
        if (maxImages < 0) errors.add("maxImages must be >= 0, got " + maxImages);
        if (patchSize >= 1 && imageSize % Math.max(patchSize, 1) == 0
                && maxTokens < maxImages * (imageSize / patchSize) * (imageSize / patchSize) + 8) {
            errors.add("maxTokens " + maxTokens + " leaves fewer than 8 text positions beside " + maxImages + " images");
        }
        if (!(dropout >= 0 && dropout < 1)) errors.add("dropout must be in [0, 1), got " + dropout);
        if (attention == null || pooling == null) errors.add("attention and pooling must be set");
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid model config: " + String.join("; ", errors));
        }
    }

    /** Unit tests: trains a toy task in seconds on one core. */
    public static ModelConfig tiny() {
        return new ModelConfig("tiny",
                0,      // set from the tokenizer
                32,     // enough to separate a few hundred toy items
                2,      // two layers so that attention mixes positions at least twice
                2,      // more than one head exercises the head split
                64,     // 2x width keeps the feed-forward cheap
                96,     // the reranker prompt (~45 tokens) + 2 images x 4 patches + 40 text positions
                16,     // 16x16 keeps colour and coarse position
                8,      // 2x2 = 4 image tokens per image
                32, 1, 2,
                2,      // the reranker's query image + candidate image
                0f,     // no dropout: tests compare exact outputs
                Attention.BIDIRECTIONAL, Pooling.MEAN, true, false, Layout.PRE_NORM);
    }

    /** The quickstart: the whole recipe on 2 CPU cores in minutes. */
    public static ModelConfig small() {
        return new ModelConfig("small",
                0,
                128,    // measured ~1000 sequences/s at inference on 2 cores (toolchain.md)
                4,      // depth matters more than width for composing attributes
                4,      // 32-wide heads
                512,    // the usual 4x width
                160,    // reranker prompt + 2 images x 16 patches + ~80 text positions; embeddings pad to their own length
                32,     // synthetic scenes keep shape, colour, size and position at 32x32
                8,      // 4x4 = 16 image tokens per image
                128, 2, 4,
                2,
                0f,     // small data, few epochs: dropout only slows convergence here
                Attention.BIDIRECTIONAL, Pooling.MEAN, true, false, Layout.PRE_NORM);
    }

    /** GPU nodes: a larger model for real data. */
    public static ModelConfig base() {
        return new ModelConfig("base",
                0,
                512,
                8,
                8,      // 64-wide heads, the common choice
                2048,
                384,    // reranker prompt + 2 images x 64 patches + ~200 text positions
                64,     // the design's 64x64 RGB images
                8,      // 8x8 = 64 image tokens per image
                256, 4, 4,
                2,
                0.1f,   // enough data on GPU nodes to want regularisation
                Attention.BIDIRECTIONAL, Pooling.MEAN, true, false, Layout.PRE_NORM);
    }

    /** The named preset. */
    public static ModelConfig preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "tiny" -> tiny();
            case "small" -> small();
            case "base" -> base();
            default -> throw new IllegalArgumentException("unknown preset '" + name + "': expected tiny, small or base");
        };
    }

    /** Image tokens one image contributes. */
    public int imageTokens() {
        int side = imageSize / patchSize;
        return side * side;
    }

    /** Values in one patch: patchSize x patchSize x 3 channels. */
    public int patchValues() {
        return patchSize * patchSize * 3;
    }

    public ModelConfig withVocabSize(int v) {
        return new ModelConfig(preset, v, width, layers, heads, mlpWidth, maxTokens, imageSize, patchSize, visionWidth,
                visionLayers, visionHeads, maxImages, dropout, attention, pooling, instructionMasking, compressionPrompt, layout);
    }

    public ModelConfig withAttention(Attention a) {
        return new ModelConfig(preset, vocabSize, width, layers, heads, mlpWidth, maxTokens, imageSize, patchSize,
                visionWidth, visionLayers, visionHeads, maxImages, dropout, a, pooling, instructionMasking, compressionPrompt, layout);
    }

    public ModelConfig withPooling(Pooling p, boolean masking, boolean prompt) {
        return new ModelConfig(preset, vocabSize, width, layers, heads, mlpWidth, maxTokens, imageSize, patchSize,
                visionWidth, visionLayers, visionHeads, maxImages, dropout, attention, p, masking, prompt, layout);
    }

    public ModelConfig withLayout(Layout l) {
        return new ModelConfig(preset, vocabSize, width, layers, heads, mlpWidth, maxTokens, imageSize, patchSize,
                visionWidth, visionLayers, visionHeads, maxImages, dropout, attention, pooling, instructionMasking, compressionPrompt, l);
    }

    public ModelConfig withDropout(float d) {
        return new ModelConfig(preset, vocabSize, width, layers, heads, mlpWidth, maxTokens, imageSize, patchSize,
                visionWidth, visionLayers, visionHeads, maxImages, d, attention, pooling, instructionMasking, compressionPrompt, layout);
    }

    /**
     * The shape fields in which {@code other} differs from this config: weights trained under one
     * cannot be loaded into the other. Attention, pooling and dropout may differ between stages.
     */
    public List<String> shapeMismatches(ModelConfig other) {
        List<String> out = new ArrayList<>();
        check(out, "vocabSize", vocabSize, other.vocabSize);
        check(out, "width", width, other.width);
        check(out, "layers", layers, other.layers);
        check(out, "heads", heads, other.heads);
        check(out, "mlpWidth", mlpWidth, other.mlpWidth);
        check(out, "maxTokens", maxTokens, other.maxTokens);
        check(out, "imageSize", imageSize, other.imageSize);
        check(out, "patchSize", patchSize, other.patchSize);
        check(out, "visionWidth", visionWidth, other.visionWidth);
        check(out, "visionLayers", visionLayers, other.visionLayers);
        check(out, "visionHeads", visionHeads, other.visionHeads);
        if (layout != other.layout) {
            out.add("layout " + other.layout + " != " + layout);
        }
        return out;
    }

    private static void check(List<String> out, String name, int mine, int theirs) {
        if (mine != theirs) {
            out.add(name + " " + theirs + " != " + mine);
        }
    }
}
