package dev.umarvel.recipe;

import dev.umarvel.model.ModelConfig;
import java.util.function.UnaryOperator;

/** How each variant of the findings changes a job's spec: one edit per knob the paper turns. */
final class FindingVariants {

    private FindingVariants() {}

    static UnaryOperator<JobSpec> keep() {
        return s -> s;
    }

    static UnaryOperator<JobSpec> hyper(UnaryOperator<HyperOverrides> change, JobKind kind, String preset) {
        return s -> new JobSpec(s.kind(), s.data(), s.initCheckpoint(), s.preset(), s.initFromBase(), s.outputDir(),
                Hyper.resolve(kind, preset, change.apply(overridesOf(s.hyper()))), s.model(), s.mining(), s.evaluation(), s.distill(), s.seed());
    }

    static HyperOverrides overridesOf(Hyper h) {
        return HyperOverrides.none().batchSize(h.batchSize()).referenceBatchSize(h.referenceBatchSize()).lrScaling(h.lrScaling())
                .maxSteps(h.maxSteps()).checkpointEvery(h.checkpointEvery()).taskBatches(h.taskBatches()).imageViews(h.imageViews()).textViews(h.textViews())
                .rerankerLoss(h.rerankerLoss()).hardNegatives(h.hardNegatives());
    }

    static UnaryOperator<JobSpec> model(ModelConfig.Attention a, ModelConfig.Pooling p, Boolean masking, Boolean prompt) {
        return s -> new JobSpec(s.kind(), s.data(), s.initCheckpoint(), s.preset(), s.initFromBase(), s.outputDir(), s.hyper(),
                new JobSpec.ModelOptions(a, p, masking, prompt), s.mining(), s.evaluation(), s.distill(), s.seed());
    }

    static UnaryOperator<JobSpec> data(String hardNegatives, String teacher) {
        return s -> new JobSpec(s.kind(), new JobSpec.Data(s.data().datasetDir(), "", "", "", "", hardNegatives, teacher, false, "", java.util.Map.of()),
                s.initCheckpoint(), s.preset(), s.initFromBase(), s.outputDir(), s.hyper(), s.model(), s.mining(), s.evaluation(),
                s.distill(), s.seed());
    }

    static JobSpec distill(JobSpec s, String reranker, int list) {
        return new JobSpec(s.kind(), s.data(), s.initCheckpoint(), s.preset(), s.initFromBase(), s.outputDir(), s.hyper(), s.model(),
                s.mining(), s.evaluation(), JobSpec.Distill.of(list, reranker, 0.1), s.seed());
    }

    /** Filtered: positive-aware (and {@code threshold}, when set); unfiltered: every top candidate kept, as the released code. */
    static JobSpec mining(JobSpec s, boolean filtered, Double threshold) {
        return new JobSpec(s.kind(), s.data(), s.initCheckpoint(), s.preset(), s.initFromBase(), s.outputDir(), s.hyper(), s.model(),
                new JobSpec.Mining(100, 5, filtered ? threshold : null, false, filtered ? JobSpec.Mining.POSITIVE_FRACTION : 0, 0),
                s.evaluation(), s.distill(), s.seed());
    }

    static JobSpec withInitFromBase(JobSpec s) {
        return new JobSpec(s.kind(), s.data(), s.initCheckpoint(), s.preset(), true, s.outputDir(), s.hyper(), s.model(), s.mining(),
                s.evaluation(), s.distill(), s.seed());
    }

    static HyperOverrides withTau(HyperOverrides o, boolean learnable) {
        return o.copy().learnableTemperature(learnable);
    }

    static HyperOverrides withBatch(HyperOverrides o, int batch, int reference, Hyper.LrScaling scaling) {
        return o.copy().learningRate(null).epochs(null).batchSize(batch).referenceBatchSize(reference).lrScaling(scaling);
    }

    static HyperOverrides withLr(HyperOverrides o, double lr) {
        return o.copy().learningRate(lr).epochs(null);
    }

    static HyperOverrides withHardOnly(HyperOverrides o) {
        return o.copy().learningRate(null).epochs(null).hardNegativesOnly(true);
    }
}
