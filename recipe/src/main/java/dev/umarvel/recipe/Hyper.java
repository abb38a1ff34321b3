package dev.umarvel.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Resolved training hyper-parameters of one job. {@link #resolve} fills every value the caller left
 * out with the default of the kind and of the preset: a preset whose language model is pretrained keeps
 * u-marvel.md's recipe (LoRA on the language model, the paper's learning rates); our from-scratch presets
 * train every weight, at learning rates measured on them (docs/training.md).
 */
public record Hyper(double learningRate, int batchSize, int referenceBatchSize, LrScaling lrScaling, double epochs,
        long maxSteps, double warmupRatio, double weightDecay, double gradClip, Trainable trainable, int loraRank, double loraAlpha,
        double loraDropout, double temperatureInit, boolean learnableTemperature, boolean bidirectionalLoss,
        int hardNegatives, boolean hardNegativesOnly, long checkpointEvery, long evalEvery, boolean mergeLora,
        boolean taskBatches, boolean imageViews, boolean textViews, RerankerLoss rerankerLoss) {

    /** {@code evalEvery} when unset: {@link LearningCurve#DEFAULT_POINTS} points over the run. */
    public static final long AUTO = -1;

    /** How lr follows batch size (the paper: square root; the released code: linear). */
    public enum LrScaling { SQRT, LINEAR, NONE }

    /** What the reranker's answer cross-entropy is taken over (u-marvel.md section 6 and docs/training.md). */
    public enum RerankerLoss {
        /** Next-token cross-entropy over the whole vocabulary: the paper's. */
        VOCABULARY,
        /** Between the "Yes" and "No" logits only: -log of the P(Yes) or P(No) the reranker is scored by. */
        ANSWERS,
        /** Per query, the positive among {@code hardNegatives} mined negatives, by log-odds of "Yes" (AnswerLoss#listwise). */
        LISTWISE
    }

    /** What a training stage after PRETRAIN updates. */
    public enum Trainable {
        /** Every weight: vision tower, projector, language model with its embeddings and norms, tau. */
        FULL,
        /** LoRA adapters on the language model's linear layers and tau, the rest frozen: the paper's recipe. */
        LORA,
        /**
         * The vision tower, projector and tau, the language model frozen: the alignment stage that brings images into an
         * imported encoder's space (its vision side learns from scratch, so it takes the from-scratch rates and views).
         */
        ALIGN
    }

    /** The batch each preset trains with: what fits its memory and keeps a step under a second on 2 cores. */
    public static int presetBatch(String preset) {
        return switch (preset) {
            case "tiny" -> 16;
            case "base" -> 128;
            default -> 64;
        };
    }

    /**
     * Presets whose language model is imported ({@code umarvel model import}), not learned here: their jobs start from the
     * imported checkpoint and its alignment stage instead of pre-training.
     */
    public static final List<String> PRETRAINED = List.of("minilm", "e5-small");

    /** Every preset a job may name: ours learned from scratch, then the imported ones. */
    public static final List<String> PRESETS = Stream.concat(Stream.of("tiny", "small", "base"), PRETRAINED.stream()).toList();

    /** Whether the preset's language model comes pretrained. */
    public static boolean pretrained(String preset) {
        return PRETRAINED.contains(preset);
    }

    /**
     * The batch of a kind on a preset: the preset's, but smaller for an imported encoder's two costliest stages on 2 cores
     * (MiniLM, tiny vision): the reranker's 64 queries x 2 pairs of ~200 word pieces took ~60 s a step (16 queries), the
     * hard-negative stage's 64 queries with a positive and 2 hard negatives each (256 sequences) 16 s (32 queries).
     */
    static int defaultBatch(JobKind kind, String preset) {
        if (!pretrained(preset)) {
            return presetBatch(preset);
        }
        return switch (kind) {
            case RERANKER -> 16;
            case HARD_NEGATIVE -> 32;
            default -> presetBatch(preset);
        };
    }

    /**
     * LoRA rates on an imported encoder for runs of tens to a few hundred steps. The instruction stage keeps the paper's 4e-4
     * (MiniLM, aligned: caption-to-image probe 64 -> 78.8 in 20 steps); the paper's 1.5e-5 to 2e-5 for the later stages
     * were tuned for thousands of steps on a 7B model, so they get 1e-4 (hard negatives, distillation) and 2e-4 (the reranker,
     * whose Yes/No readout starts untrained).
     */
    static double importedLearningRate(JobKind kind) {
        return switch (kind) {
            case HARD_NEGATIVE, DISTILL, CONTINUE_HARD -> 1e-4;
            case RERANKER -> 2e-4;
            default -> paperLearningRate(kind);
        };
    }

    /** The paper's learning rate of each kind, for LoRA on a pretrained model (u-marvel.md). */
    static double paperLearningRate(JobKind kind) {
        return switch (kind) {
            case PRETRAIN -> 3e-4;
            case TEXT_ALIGN -> 2e-4;
            case CROSS_MODAL -> 1e-4;
            case INSTRUCTION -> 4e-4;
            case HARD_NEGATIVE -> 1.5e-5;
            case RERANKER -> 2e-5;
            case DISTILL, CONTINUE_HARD -> 1e-5;
            case MINE_HARD_NEGATIVES, EVALUATE -> 0;
        };
    }

    /** Learning rates for training every weight of a from-scratch model, measured on M-BEIR-synth (docs/training.md). */
    static double fullLearningRate(JobKind kind, String preset) {
        return switch (kind) {
            // measured on M-BEIR-synth small: pre-training at 1e-3 for 300 steps or more leaves a model whose
            // stage 3 stays at chance on within-task negatives (loss 4.16 at batch 64); 3e-4 lets it learn (0.15)
            case PRETRAIN -> 3e-4;
            // tiny, instruction stage with task batches: 1e-3 reached 28.9 validation recall, 3e-3 collapsed (18.8)
            case TEXT_ALIGN, CROSS_MODAL -> 1e-3;
            // small, after 150 cross-modal steps: at 1e-3 the one-task batches collapse the embeddings in the first 75 steps
            // (mean pairwise cosine 0.18 -> 0.999) and the loss stays at chance for 600; at 3e-4, 0.6-0.8 and the probe's
            // recall 15-18 after 100 steps. Tiny learns at 1e-3 (28.9 validation recall after 400 steps; 3e-3 collapsed).
            case INSTRUCTION -> "tiny".equals(preset) ? 1e-3 : 3e-4;
            // tiny, 100 hard-negative steps: 24.6 / 7.0 test recall at 1e-3, 21.5 / 6.3 at 3e-4. Small, 300 steps after 1200
            // instruction steps: validation 68.1 / 55.5 at 3e-4, 64.4 / 56.0 at 1e-3 (which forgets the within-task local
            // pools that the one-task batches taught: fashion200k 100 -> 78, fashioniq 78 -> 52)
            case HARD_NEGATIVE -> "tiny".equals(preset) ? 1e-3 : 3e-4;
            // the reranker's loss stayed at 4.2 after 150 steps at 3e-4 and reached 1.2 at 1e-3 (tiny)
            case RERANKER -> 1e-3;
            case DISTILL, CONTINUE_HARD -> 1e-4;
            case MINE_HARD_NEGATIVES, EVALUATE -> 0;
        };
    }

    public static Hyper resolve(JobKind kind, String preset, HyperOverrides o) {
        int batch = o.batchSize() != null ? o.batchSize() : defaultBatch(kind, preset);
        int reference = o.referenceBatchSize() != null ? o.referenceBatchSize() : defaultBatch(kind, preset);
        LrScaling scaling = o.lrScaling() != null ? o.lrScaling() : LrScaling.SQRT;
        Trainable trainable = o.trainable() != null ? o.trainable() : pretrained(preset) ? Trainable.LORA : Trainable.FULL;
        double base = o.learningRate() != null ? o.learningRate()
                : trainable != Trainable.LORA ? fullLearningRate(kind, preset)
                : pretrained(preset) ? importedLearningRate(kind) : paperLearningRate(kind);
        double ratio = (double) batch / reference;
        double lr = switch (scaling) {
            case SQRT -> base * Math.sqrt(ratio);
            case LINEAR -> base * ratio;
            case NONE -> base;
        };
        // the rank an adapter can have is capped by the model's width: alpha follows the rank used, not the rank asked
        int rank = Math.min(o.loraRank() != null ? o.loraRank() : kind == JobKind.TEXT_ALIGN ? 64 : 128, widthOf(preset));
        boolean learnable = o.learnableTemperature() != null ? o.learnableTemperature()
                : !(kind == JobKind.TEXT_ALIGN || kind == JobKind.CROSS_MODAL);
        Hyper h = new Hyper(lr, batch, reference, scaling, o.epochs() != null ? o.epochs() : kind == JobKind.PRETRAIN ? 2 : 1,
                o.maxSteps() != null ? o.maxSteps() : 0, o.warmupRatio() != null ? o.warmupRatio() : 0.03,
                o.weightDecay() != null ? o.weightDecay() : 0, o.gradClip() != null ? o.gradClip() : 1.0, trainable, rank,
                o.loraAlpha() != null ? o.loraAlpha() : 2.0 * rank, o.loraDropout() != null ? o.loraDropout() : 0.05,
                o.temperatureInit() != null ? o.temperatureInit() : 0.05, learnable,
                o.bidirectionalLoss() != null ? o.bidirectionalLoss() : kind == JobKind.CROSS_MODAL,
                o.hardNegatives() != null ? o.hardNegatives() : 5, Boolean.TRUE.equals(o.hardNegativesOnly()),
                o.checkpointEvery() != null ? o.checkpointEvery() : 200, o.evalEvery() != null ? o.evalEvery() : AUTO,
                o.mergeLora() == null || o.mergeLora(),
                // one-task batches are ours (the paper mixes the union). A model learned from scratch separates mixed batches by task
                // and modality alone and learns little else (tiny, 400 instruction steps: 9.8 test recall mixed, 21.5 one task per
                // batch); the hard-negative stage after it mixes the union again, for the global pool. With LoRA on the paper's
                // schedule they left the small model at chance (mean local R 1.2), so there they stay off.
                o.taskBatches() != null ? o.taskBatches() : kind == JobKind.INSTRUCTION && trainable == Trainable.FULL,
                // the cross-modal stage also contrasts each image with a shifted, re-shaded view of itself: a vision tower
                // learned from scratch gets the details that tell images apart in every step (docs/training.md)
                o.imageViews() != null ? o.imageViews() : kind == JobKind.CROSS_MODAL && trainable != Trainable.LORA,
                // and the text stage adds pairs of two random spans of one training-pool text (Contriever's cropping): what
                // ties them together are the rare words, the names a from-scratch model otherwise never learns to match
                o.textViews() != null ? o.textViews() : kind == JobKind.TEXT_ALIGN && trainable == Trainable.FULL,
                // between the two answers on every preset: over the whole vocabulary the first ~150 steps only learn that the
                // answer is one of two words, and one batch of 64 queries overfits to 0.45 in 300 steps against 0.13 (tiny)
                o.rerankerLoss() != null ? o.rerankerLoss() : RerankerLoss.ANSWERS);
        List<String> errors = h.problems(kind);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return h;
    }

    /** The language model's width of a preset (an adapter's rank cannot exceed it); unbounded for an unknown name. */
    private static int widthOf(String preset) {
        try {
            return dev.umarvel.model.ModelConfig.preset(preset).width();
        } catch (IllegalArgumentException unknown) {
            return Integer.MAX_VALUE; // refused with its field by the spec's own check
        }
    }

    /** Range checks, each naming its field as trainer.proto spells it. */
    List<String> problems(JobKind kind) {
        List<String> out = new ArrayList<>();
        if (kind.trains() && !(learningRate > 0 && learningRate <= 1)) {
            out.add("hyper.learning_rate: must be in (0, 1], got " + learningRate);
        }
        int minBatch = kind.contrastive() || kind == JobKind.DISTILL ? 2 : 1;
        if (batchSize < minBatch || batchSize > 4096) {
            out.add("hyper.batch_size: must be in " + minBatch + "..4096, got " + batchSize);
        }
        if (referenceBatchSize < 1) {
            out.add("hyper.reference_batch_size: must be >= 1, got " + referenceBatchSize);
        }
        if (!(epochs > 0 && epochs <= 1000)) {
            out.add("hyper.epochs: must be in (0, 1000], got " + epochs);
        }
        if (maxSteps < 0) {
            out.add("hyper.max_steps: must be >= 0, got " + maxSteps);
        }
        if (!(warmupRatio >= 0 && warmupRatio <= 0.5)) {
            out.add("hyper.warmup_ratio: must be in [0, 0.5], got " + warmupRatio);
        }
        if (!(weightDecay >= 0 && weightDecay < 1)) {
            out.add("hyper.weight_decay: must be in [0, 1), got " + weightDecay);
        }
        if (!(gradClip >= 0)) {
            out.add("hyper.grad_clip: must be >= 0, got " + gradClip);
        }
        if (loraRank < 1) {
            out.add("hyper.lora_rank: must be >= 1, got " + loraRank);
        }
        if (!(loraAlpha > 0)) {
            out.add("hyper.lora_alpha: must be > 0, got " + loraAlpha);
        }
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            out.add("hyper.lora_dropout: must be in [0, 1), got " + loraDropout);
        }
        if (!(temperatureInit > 0 && temperatureInit <= 1)) {
            out.add("hyper.temperature_init: must be in (0, 1], got " + temperatureInit);
        }
        if (hardNegatives < 1) {
            out.add("hyper.hard_negatives_per_query: must be >= 1, got " + hardNegatives);
        }
        if (checkpointEvery < 1) {
            out.add("hyper.checkpoint_every_steps: must be >= 1, got " + checkpointEvery);
        }
        if (evalEvery < 0 && evalEvery != AUTO) {
            out.add("hyper.eval_every_steps: must be >= 0, got " + evalEvery);
        }
        return out;
    }
}
