package dev.umarvel.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The learning rates a preset trains with when the spec names none: measured on our models (docs/training.md). */
class HyperTest {

    private static double lr(JobKind kind, String preset) {
        return Hyper.resolve(kind, preset, HyperOverrides.none()).learningRate();
    }

    @Test
    void fromScratchPresetsUseTheMeasuredRates() {
        // tiny learns every contrastive stage at 1e-3
        assertEquals(1e-3, lr(JobKind.INSTRUCTION, "tiny"), 0);
        assertEquals(1e-3, lr(JobKind.HARD_NEGATIVE, "tiny"), 0);
        // small: the one-task batches collapse at 1e-3, and the hard-negative stage at 1e-3 forgets the local pools
        assertEquals(3e-4, lr(JobKind.INSTRUCTION, "small"), 0);
        assertEquals(3e-4, lr(JobKind.HARD_NEGATIVE, "small"), 0);
        assertEquals(1e-3, lr(JobKind.RERANKER, "small"), 0);
        assertEquals(1e-3, lr(JobKind.CROSS_MODAL, "small"), 0);
    }

    @Test
    void loraKeepsThePapersRates() {
        HyperOverrides lora = HyperOverrides.none().trainable(Hyper.Trainable.LORA);
        assertEquals(1.5e-5, Hyper.resolve(JobKind.HARD_NEGATIVE, "small", lora).learningRate(), 0);
        assertEquals(4e-4, Hyper.resolve(JobKind.INSTRUCTION, "small", lora).learningRate(), 0);
    }

    @Test
    void anImportedEncoderTrainsLoraAtRatesForShortRuns() {
        Hyper instruction = Hyper.resolve(JobKind.INSTRUCTION, "minilm", HyperOverrides.none());
        assertEquals(Hyper.Trainable.LORA, instruction.trainable());
        assertEquals(4e-4, instruction.learningRate(), 0);
        assertEquals(false, instruction.taskBatches(), "the paper's mixed batches: a pretrained encoder learns from them");
        assertEquals(1e-4, lr(JobKind.HARD_NEGATIVE, "minilm"), 0);
        assertEquals(32, Hyper.resolve(JobKind.HARD_NEGATIVE, "minilm", HyperOverrides.none()).batchSize());
        assertEquals(1e-4, lr(JobKind.DISTILL, "e5-small"), 0);
        Hyper reranker = Hyper.resolve(JobKind.RERANKER, "minilm", HyperOverrides.none());
        assertEquals(2e-4, reranker.learningRate(), 0);
        assertEquals(16, reranker.batchSize(), "a 64-query MiniLM reranker step took a minute on 2 cores");
        // the alignment stage trains the vision side from scratch: the from-scratch rate and image views
        Hyper align = Hyper.resolve(JobKind.CROSS_MODAL, "minilm", HyperOverrides.none().trainable(Hyper.Trainable.ALIGN));
        assertEquals(1e-3, align.learningRate(), 0);
        assertEquals(true, align.imageViews());
        // the paper's rates stay one option away on our from-scratch presets
        assertEquals(1.5e-5, Hyper.resolve(JobKind.HARD_NEGATIVE, "small", HyperOverrides.none().trainable(Hyper.Trainable.LORA))
                .learningRate(), 0);
    }

    @Test
    void anExplicitRateWins() {
        assertEquals(2e-4, Hyper.resolve(JobKind.HARD_NEGATIVE, "small", HyperOverrides.none().learningRate(2e-4)).learningRate(), 0);
    }
}
