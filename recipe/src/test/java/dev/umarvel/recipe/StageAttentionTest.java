package dev.umarvel.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.ModelConfig.Attention;
import dev.umarvel.model.ModelConfig.Layout;
import org.junit.jupiter.api.Test;

/** Which attention each stage trains with: the reranker's follows the backbone, a spec's choice wins. */
class StageAttentionTest {

    private static final ModelConfig OURS = ModelConfig.tiny().withVocabSize(100);
    private static final ModelConfig BERT = OURS.withLayout(Layout.BERT);

    @Test
    void theRerankerReadsCausallyOnOurStackAndBidirectionallyOnAnImportedBert() {
        assertEquals(Attention.CAUSAL, StageModel.adjust(OURS, spec(JobKind.RERANKER, null)).attention());
        assertEquals(Attention.BIDIRECTIONAL, StageModel.adjust(BERT, spec(JobKind.RERANKER, null)).attention());
    }

    @Test
    void theOtherKindsKeepTheirAttentionOnEitherBackbone() {
        for (ModelConfig c : new ModelConfig[] {OURS, BERT}) {
            assertEquals(Attention.CAUSAL, StageModel.adjust(c, spec(JobKind.PRETRAIN, null)).attention());
            assertEquals(Attention.BIDIRECTIONAL, StageModel.adjust(c.withAttention(Attention.CAUSAL),
                    spec(JobKind.INSTRUCTION, null)).attention());
        }
    }

    @Test
    void aSpecsAttentionWins() {
        assertEquals(Attention.CAUSAL, StageModel.adjust(BERT, spec(JobKind.RERANKER, Attention.CAUSAL)).attention());
        assertEquals(Attention.BIDIRECTIONAL, StageModel.adjust(OURS, spec(JobKind.RERANKER, Attention.BIDIRECTIONAL)).attention());
    }

    private static JobSpec spec(JobKind kind, Attention attention) {
        JobSpec s = JobSpec.of(kind, "data/tiny", "jobs/init", "tiny", HyperOverrides.none(), 1);
        return new JobSpec(s.kind(), s.data(), s.initCheckpoint(), s.preset(), s.initFromBase(), s.outputDir(), s.hyper(),
                new JobSpec.ModelOptions(attention, null, null, null), s.mining(), s.evaluation(), s.distill(), s.seed());
    }
}
