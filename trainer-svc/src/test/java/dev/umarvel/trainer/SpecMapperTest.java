package dev.umarvel.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.DataSpec;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.JobSpec;
import dev.umarvel.api.v1.RerankerLoss;
import dev.umarvel.api.v1.Trainable;
import dev.umarvel.recipe.Hyper;
import org.junit.jupiter.api.Test;

/** What a Trainer request's trainable set and reranker loss become in the recipe, and what Job.spec reports back. */
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

    private static JobSpec reranker(HyperParameters.Builder hyper) {
        return JobSpec.newBuilder().setKind(JobKind.JOB_KIND_RERANKER).setPreset("tiny")
                .setData(DataSpec.newBuilder().setDatasetDir("data/tiny")).setInitCheckpoint("jobs/base/final").setHyper(hyper).build();
    }

    @Test
    void theRerankerLossIsBetweenTheAnswersUnlessThePapersIsAskedFor() {
        JobSpec unset = reranker(HyperParameters.newBuilder());
        dev.umarvel.recipe.JobSpec d = SpecMapper.toDomain(unset, "j");
        assertEquals(Hyper.RerankerLoss.ANSWERS, d.hyper().rerankerLoss());
        assertEquals(RerankerLoss.RERANKER_LOSS_ANSWERS, SpecMapper.withDefaults(unset, d).getHyper().getRerankerLoss(),
                "Job.spec reports the default the job ran with");
        JobSpec paper = reranker(HyperParameters.newBuilder().setRerankerLoss(RerankerLoss.RERANKER_LOSS_VOCABULARY));
        d = SpecMapper.toDomain(paper, "j");
        assertEquals(Hyper.RerankerLoss.VOCABULARY, d.hyper().rerankerLoss());
        assertEquals(RerankerLoss.RERANKER_LOSS_VOCABULARY, SpecMapper.withDefaults(paper, d).getHyper().getRerankerLoss());
        JobSpec listwise = reranker(HyperParameters.newBuilder().setRerankerLoss(RerankerLoss.RERANKER_LOSS_LISTWISE));
        d = SpecMapper.toDomain(listwise, "j");
        assertEquals(Hyper.RerankerLoss.LISTWISE, d.hyper().rerankerLoss());
        assertEquals(RerankerLoss.RERANKER_LOSS_LISTWISE, SpecMapper.withDefaults(listwise, d).getHyper().getRerankerLoss());
    }
}
