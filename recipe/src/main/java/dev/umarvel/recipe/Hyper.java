package dev.umarvel.recipe;

import java.util.ArrayList;
import java.util.List;

/**
 * Resolved training hyper-parameters of one job. {@link #resolve} fills every value the caller left
 * out with the kind's default, following u-marvel.md (learning rates, LoRA sizes, temperature,
 * loss direction) at our presets' batch sizes.
 */
public record Hyper(double learningRate, int batchSize, int referenceBatchSize, LrScaling lrScaling, double epochs,
        long maxSteps, double warmupRatio, double weightDecay, double gradClip, int loraRank, double loraAlpha,
        double loraDropout, double temperatureInit, boolean learnableTemperature, boolean bidirectionalLoss,
        int hardNegatives, boolean hardNegativesOnly, long checkpointEvery, long evalEvery, boolean mergeLora,
        boolean taskBatches) {

    /** How lr follows batch size (the paper: square root; the released code: linear). */
    public enum LrScaling { SQRT, LINEAR, NONE }

    /** What a caller set; null means "the kind's default". */
    public record Overrides(Double learningRate, Integer batchSize, Integer referenceBatchSize, LrScaling lrScaling,
            Double epochs, Long maxSteps, Double warmupRatio, Double weightDecay, Double gradClip, Integer loraRank,
            Double loraAlpha, Double loraDropout, Double temperatureInit, Boolean learnableTemperature,
            Boolean bidirectionalLoss, Integer hardNegatives, Boolean hardNegativesOnly, Long checkpointEvery,
            Long evalEvery, Boolean mergeLora, Boolean taskBatches) {
        public static Overrides none() {
            return new Overrides(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null);
        }
    }

    /** The batch each preset trains with: what fits its memory and keeps a step under a second on 2 cores. */
    public static int presetBatch(String preset) {
        return switch (preset) {
            case "tiny" -> 16;
            case "base" -> 128;
            default -> 64;
        };
    }

    /** The paper's learning rate of each kind (u-marvel.md; PRETRAIN is ours: a from-scratch model). */
    static double defaultLearningRate(JobKind kind) {
        return switch (kind) {
            // measured on M-BEIR-synth small: pre-training at 1e-3 for 300 steps or more leaves a model whose
            // stage 3 stays at chance on within-task negatives (loss 4.16 at batch 64); 3e-4 lets it learn (0.15)
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

    public static Hyper resolve(JobKind kind, String preset, Overrides o) {
        int batch = o.batchSize != null ? o.batchSize : presetBatch(preset);
        int reference = o.referenceBatchSize != null ? o.referenceBatchSize : presetBatch(preset);
        LrScaling scaling = o.lrScaling != null ? o.lrScaling : LrScaling.SQRT;
        double base = o.learningRate != null ? o.learningRate : defaultLearningRate(kind);
        double ratio = (double) batch / reference;
        double lr = switch (scaling) {
            case SQRT -> base * Math.sqrt(ratio);
            case LINEAR -> base * ratio;
            case NONE -> base;
        };
        int rank = o.loraRank != null ? o.loraRank : kind == JobKind.TEXT_ALIGN ? 64 : 128;
        boolean learnable = o.learnableTemperature != null ? o.learnableTemperature
                : !(kind == JobKind.TEXT_ALIGN || kind == JobKind.CROSS_MODAL);
        Hyper h = new Hyper(lr, batch, reference, scaling, o.epochs != null ? o.epochs : kind == JobKind.PRETRAIN ? 2 : 1,
                o.maxSteps != null ? o.maxSteps : 0, o.warmupRatio != null ? o.warmupRatio : 0.03,
                o.weightDecay != null ? o.weightDecay : 0, o.gradClip != null ? o.gradClip : 1.0, rank,
                o.loraAlpha != null ? o.loraAlpha : 2.0 * rank, o.loraDropout != null ? o.loraDropout : 0.05,
                o.temperatureInit != null ? o.temperatureInit : 0.05, learnable,
                o.bidirectionalLoss != null ? o.bidirectionalLoss : kind == JobKind.CROSS_MODAL,
                o.hardNegatives != null ? o.hardNegatives : 5, Boolean.TRUE.equals(o.hardNegativesOnly),
                o.checkpointEvery != null ? o.checkpointEvery : 200, o.evalEvery != null ? o.evalEvery : 0,
                o.mergeLora == null || o.mergeLora, // one-task batches are ours (the paper mixes the union); off by default: on M-BEIR-synth small,
                // 1200 stage-3 steps of them left the small model at chance (mean local R 1.2)
                Boolean.TRUE.equals(o.taskBatches));
        List<String> errors = h.problems(kind);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return h;
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
        if (evalEvery < 0) {
            out.add("hyper.eval_every_steps: must be >= 0, got " + evalEvery);
        }
        return out;
    }
}
