package dev.umarvel.recipe;

/**
 * Steps of each stage of the recipe for an instruction stage of {@code instruction} steps, measured per preset
 * (docs/training.md): what the quickstart runs and what the findings compare their variants on. Tiny (s = 400): every
 * stage learns within s steps of its own. Small (s = 1200): the text and cross-modal stages with their views learn to tell
 * texts and images apart in s/4 and s/2 (600 cross-modal steps: caption-to-image R@1 among 64 from 37 without image views
 * to 61 with them); the instruction stage is where the tasks are learned and was short of steps at 600 (validation 60.5 /
 * 37.9 -> 68.8 / 45.5 at 1200); the hard-negative stage's mixed batches then lift the global pool (-> 68.1 / 55.5 after
 * s/4 = 300 steps, 71.5 / 61.9 after s/2 = 600); the reranker's step (64 queries, 2 causal pairs each) costs ~2.3 s on 2
 * cores; on the final retriever's within-task lists its loss still falls at 100 steps (0.66, chance 0.69) and the cascade
 * gains 1.0 / 1.0 over SINGLE on validation, at 300 steps 5.0 / 6.0 (docs/training.md), so it gets s/4. Distillation (8
 * queries x 50 candidates a step) gets s/10 on tiny and s/20 on small.
 */
public record StepPlan(long pretrain, long text, long crossModal, long instruction, long hardNegatives, long reranker, long distill) {

    /**
     * The instruction stage's upsampling of M-BEIR datasets, by preset. On small: WebQA's questions name entities training
     * never shows, so the retriever must learn to match a name's word pieces, which it learns in a plateau-then-drop that
     * WebQA's one batch in eight does not get through. Three times its queries (30 % of the stage instead of 12.5 %) took
     * the final retriever from 73.6 / 63.5 to 75.1 / 65.4 on validation, webqa_task2 28 -> 60. On tiny (24 training queries
     * a task, 400 steps) the same lowered the quickstart's SINGLE from 56.6 / 30.5 to 50.8 / 25.0, so tiny, the imported
     * encoders (which know words) and presets not measured keep one of each (docs/training.md).
     */
    public static java.util.Map<String, Integer> upsample(String preset) {
        return preset.equals("small") ? java.util.Map.of("webqa", 3) : java.util.Map.of();
    }

    /** Hard negatives a query in the hard-negative stage: 2 keep a small-preset step near a second. */
    public static final int HARD_NEGATIVES_PER_QUERY = 2;

    public static StepPlan of(String preset, long s) {
        return switch (preset) {
            case "tiny" -> new StepPlan(s / 4, s / 2, s, s, s / 2, s, s / 10);
            // an imported encoder (s = 120 in the quickstart) runs no pre-training or text stage (their steps are unused);
            // the alignment stage (crossModal) gets 20s/3 steps of 32 (800), since its vision side starts from nothing: followed by s
            // LoRA instruction steps, 200 alignment steps gave 61.0 / 53.5 (mean of 16 tasks, 25 test queries each), 800 gave
            // 72.0 / 65.8, the probe flat from ~600 (docs/pretrained.md, the sweep); a LoRA instruction step costs ~5 s on 2 cores and lifts the probe from the
            // aligned model's level to 78.8 in 20 steps (full fine-tuning: 60.0 after 20, 70.9 after 60); the reranker's
            // step of 16 queries costs ~3 s; read as a cross-encoder its Yes/No loss falls to 0.34-0.47 (chance 0.69) in s = 120
            // steps, which barely move the cascade yet (docs/pretrained.md): s is what it gets until more is measured
            case "minilm", "e5-small" -> new StepPlan(0, 0, s * 20 / 3, s, s / 2, s, s / 10);
            default -> new StepPlan(s / 8, s / 4, s / 2, s, s / 2, s / 4, s / 20);
        };
    }

    /** The instruction stage's steps when none are asked for: 400 on tiny, 120 on an imported encoder, 1200 otherwise. */
    public static long defaultSteps(String preset) {
        return switch (preset) {
            case "tiny" -> 400;
            case "minilm", "e5-small" -> 120;
            default -> 1200;
        };
    }

    /** No stage gets fewer than one step, however small the instruction stage. */
    public StepPlan {
        pretrain = Math.max(1, pretrain);
        text = Math.max(1, text);
        crossModal = Math.max(1, crossModal);
        instruction = Math.max(1, instruction);
        hardNegatives = Math.max(1, hardNegatives);
        reranker = Math.max(1, reranker);
        distill = Math.max(1, distill);
    }
}
