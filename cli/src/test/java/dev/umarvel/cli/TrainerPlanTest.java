package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The quickstart's steps per stage (docs/training.md says where each number comes from). */
class TrainerPlanTest {

    @Test
    void smallGivesTheInstructionStageMostSteps() {
        assertEquals(new TrainerChain.Plan(150, 300, 600, 1200, 600, 100, 60), TrainerChain.Plan.of("small", 1200));
    }

    @Test
    void tinyTrainsEveryStageAboutAsLongAsTheInstructionStage() {
        assertEquals(new TrainerChain.Plan(100, 200, 400, 400, 200, 400, 40), TrainerChain.Plan.of("tiny", 400));
    }

    @Test
    void anImportedEncoderAlignsLongest() {
        TrainerChain.Plan plan = TrainerChain.Plan.of("minilm", 120);
        assertEquals(List.of(800L, 120L, 60L, 120L, 12L),
                List.of(plan.crossModal(), plan.instruction(), plan.hardNegatives(), plan.reranker(), plan.distill()));
        assertEquals(plan, TrainerChain.Plan.of("e5-small", 120));
    }

    @Test
    void aStageNeverGetsZeroSteps() {
        assertEquals(new TrainerChain.Plan(1, 1, 1, 3, 1, 1, 1), TrainerChain.Plan.of("small", 3));
    }
}
