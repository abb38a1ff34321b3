package dev.umarvel.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.DataSpec;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.JobSpec;
import dev.umarvel.api.v1.Trainable;
import dev.umarvel.recipe.Hyper;
import org.junit.jupiter.api.Test;

/** What a Trainer request's trainable set becomes in the recipe. */
class SpecMapperTest {

    private static dev.umarvel.recipe.JobSpec crossModal(Trainable trainable) {
        return SpecMapper.toDomain(JobSpec.newBuilder().setKind(JobKind.JOB_KIND_CROSS_MODAL).setPreset("tiny")
                .setData(DataSpec.newBuilder().setDatasetDir("data/tiny")).setInitCheckpoint("jobs/base/final")
                .setHyper(HyperParameters.newBuilder().setTrainable(trainable)).build(), "j");
    }

    @Test
    void alignTrainsTheVisionSideWithItsViewsAtTheFromScratchRate() {
        Hyper h = crossModal(Trainable.TRAINABLE_ALIGN).hyper();
        assertEquals(Hyper.Trainable.ALIGN, h.trainable());
        assertTrue(h.imageViews(), "the vision tower learns from scratch: it gets the image views");
        assertEquals(crossModal(Trainable.TRAINABLE_FULL).hyper().learningRate(), h.learningRate());
    }

    @Test
    void loraTakesThePapersRateAndNoViews() {
        Hyper h = crossModal(Trainable.TRAINABLE_LORA).hyper();
        assertEquals(Hyper.Trainable.LORA, h.trainable());
        assertEquals(false, h.imageViews());
        assertEquals(1e-4, h.learningRate(), 1e-12);
    }
}
