package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.DataSpec;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.JobSpec;
import org.junit.jupiter.api.Test;

/** A quickstart run reuses an earlier stage's job only when that job ran what the run now asks. */
class TrainerChainReuseTest {

    private static JobSpec requested(long steps, String hardNegatives) {
        return JobSpec.newBuilder().setKind(JobKind.JOB_KIND_HARD_NEGATIVE).setDisplayName("quickstart hard-negatives")
                .setData(DataSpec.newBuilder().setDatasetDir("data/synth-small").setSkipValidation(true).setHardNegatives(hardNegatives))
                .setInitCheckpoint("jobs/qs-small-s1200-instruction/final").setPreset("small")
                .setHyper(HyperParameters.newBuilder().setMaxSteps(steps).setHardNegativesPerQuery(2)).setSeed(1).build();
    }

    /** What trainer-svc reports for a job: the spec with its resolved defaults and output directory written back. */
    private static JobSpec reported(JobSpec asked) {
        return asked.toBuilder().setOutputDir("jobs/qs-small-s1200-hard-negatives")
                .setHyper(asked.getHyper().toBuilder().setLearningRate(3e-4).setBatchSize(64).setWarmupRatio(0.05).setLoraRank(0))
                .build();
    }

    @Test
    void theSameRequestReusesTheJobWhateverDefaultsTheTrainerResolved() {
        JobSpec asked = requested(600, "jobs/qs-small-s1200-mine/hard_negatives.jsonl");
        assertTrue(TrainerChain.ran(reported(asked), asked));
    }

    @Test
    void aNewStepPlanIsANewJob() {
        JobSpec before = requested(300, "jobs/qs-small-s1200-mine/hard_negatives.jsonl");
        assertFalse(TrainerChain.ran(reported(before), requested(600, "jobs/qs-small-s1200-mine/hard_negatives.jsonl")));
    }

    @Test
    void aNewInputIsANewJob() {
        JobSpec before = requested(600, "jobs/qs-small-s1200-mine/hard_negatives.jsonl");
        assertFalse(TrainerChain.ran(reported(before), requested(600, "jobs/qs-small-s1200-mine-2/hard_negatives.jsonl")));
    }

    @Test
    void anUpsampledDatasetIsANewJob() {
        JobSpec before = requested(600, "jobs/qs-small-s1200-mine/hard_negatives.jsonl");
        JobSpec now = before.toBuilder().setData(before.getData().toBuilder().putUpsample("webqa", 3)).build();
        assertFalse(TrainerChain.ran(reported(before), now));
        assertTrue(TrainerChain.ran(reported(now), now));
    }

    @Test
    void anOptionTheRequestNowSetsIsANewJob() {
        JobSpec before = requested(600, "jobs/qs-small-s1200-mine/hard_negatives.jsonl");
        JobSpec now = before.toBuilder().setHyper(before.getHyper().toBuilder().setLearningRate(1e-3)).build();
        assertFalse(TrainerChain.ran(reported(before), now));
    }
}
