package dev.umarvel.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The recipe's steps per stage, the quickstart's and the findings' (docs/training.md says where each number comes from). */
class StepPlanTest {

    @Test
    void smallGivesTheInstructionStageMostSteps() {
        assertEquals(new StepPlan(150, 300, 600, 1200, 600, 300, 60), StepPlan.of("small", 1200));
    }

    @Test
    void tinyTrainsEveryStageAboutAsLongAsTheInstructionStage() {
        assertEquals(new StepPlan(100, 200, 400, 400, 200, 400, 40), StepPlan.of("tiny", 400));
    }

    @Test
    void anImportedEncoderAlignsLongest() {
        StepPlan plan = StepPlan.of("minilm", 120);
        assertEquals(List.of(800L, 120L, 60L, 120L, 12L),
                List.of(plan.crossModal(), plan.instruction(), plan.hardNegatives(), plan.reranker(), plan.distill()));
        assertEquals(plan, StepPlan.of("e5-small", 120));
    }

    @Test
    void aStageNeverGetsZeroSteps() {
        assertEquals(new StepPlan(1, 1, 1, 3, 1, 1, 1), StepPlan.of("small", 3));
    }

    @Test
    void onlySmallUpsamplesWebqaWhereItWasMeasured() {
        assertEquals(java.util.Map.of("webqa", 3), StepPlan.upsample("small"));
        for (String preset : List.of("tiny", "minilm", "e5-small", "base")) {
            assertEquals(java.util.Map.of(), StepPlan.upsample(preset), preset);
        }
    }

    @Test
    void theDefaultInstructionStepsArePerPreset() {
        assertEquals(List.of(400L, 1200L, 120L, 120L),
                List.of("tiny", "small", "minilm", "e5-small").stream().map(StepPlan::defaultSteps).toList());
    }
}
