package dev.umarvel.recipe;

import dev.umarvel.model.ModelConfig;
import java.util.function.UnaryOperator;

/** How each variant of the findings changes a job's spec: one edit per knob the paper turns. */
final class FindingVariants {

    private FindingVariants() {}

    static UnaryOperator<JobSpec> keep() {
        return s -> s;
    }

    static UnaryOperator<JobSpec> hyper(UnaryOperator<Hyper.Overrides> change, JobKind kind, String preset) {
        return s -> new JobSpec(s.kind(), s.data(), s.initCheckpoint(), s.preset(), s.initFromBase(), s.outputDir(),
                Hyper.resolve(kind, preset, change.apply(overridesOf(s.hyper()))), s.model(), s.mining(), s.evaluation(), s.distill(), s.seed());
    }

    static Hyper.Overrides overridesOf(Hyper h) {
        return new Hyper.Overrides(null, h.batchSize(), h.referenceBatchSize(), h.lrScaling(), null, h.maxSteps(), null, null, null,
                null, null, null, null, null, null, null, null, h.checkpointEvery(), null, null, h.taskBatches());
    }

    static UnaryOperator<JobSpec> model(ModelConfig.Attention a, ModelConfig.Pooling p, Boolean masking, Boolean prompt) {
        return s -> new JobSpec(s.kind(), s.data(), s.initCheckpoint(), s.preset(), s.initFromBase(), s.outputDir(), s.hyper(),
                new JobSpec.ModelOptions(a, p, masking, prompt), s.mining(), s.evaluation(), s.distill(), s.seed());
    }

    static UnaryOperator<JobSpec> data(String hardNegatives, String teacher) {
        return s -> new JobSpec(s.kind(), new JobSpec.Data(s.data().datasetDir(), "", "", "", "", hardNegatives, teacher, false, ""),
                s.initCheckpoint(), s.preset(), s.initFromBase(), s.outputDir(), s.hyper(), s.model(), s.mining(), s.evaluation(),
                s.distill(), s.seed());
    }

    static JobSpec distill(JobSpec s, String reranker, int list) {
        return new JobSpec(s.kind(), s.data(), s.initCheckpoint(), s.preset(), s.initFromBase(), s.outputDir(), s.hyper(), s.model(),
                s.mining(), s.evaluation(), new JobSpec.Distill(list, reranker, 0.1, 42, 1.0,
                        JobSpec.Distill.defaults().taskTeacherWeights()), s.seed());
    }

    static JobSpec mining(JobSpec s, Double threshold) {
        return new JobSpec(s.kind(), s.data(), s.initCheckpoint(), s.preset(), s.initFromBase(), s.outputDir(), s.hyper(), s.model(),
                new JobSpec.Mining(100, 5, threshold, false), s.evaluation(), s.distill(), s.seed());
    }

    static JobSpec withInitFromBase(JobSpec s) {
        return new JobSpec(s.kind(), s.data(), s.initCheckpoint(), s.preset(), true, s.outputDir(), s.hyper(), s.model(), s.mining(),
                s.evaluation(), s.distill(), s.seed());
    }

    static Hyper.Overrides withTau(Hyper.Overrides o, boolean learnable) {
        return new Hyper.Overrides(o.learningRate(), o.batchSize(), o.referenceBatchSize(), o.lrScaling(), o.epochs(), o.maxSteps(),
                null, null, null, null, null, null, null, learnable, null, null, null, o.checkpointEvery(), null, null, o.taskBatches());
    }

    static Hyper.Overrides withBatch(Hyper.Overrides o, int batch, int reference, Hyper.LrScaling scaling) {
        return new Hyper.Overrides(null, batch, reference, scaling, null, o.maxSteps(), null, null, null, null, null, null, null, null,
                null, null, null, o.checkpointEvery(), null, null, o.taskBatches());
    }

    static Hyper.Overrides withLr(Hyper.Overrides o, double lr) {
        return new Hyper.Overrides(lr, o.batchSize(), o.referenceBatchSize(), o.lrScaling(), null, o.maxSteps(), null, null, null, null,
                null, null, null, null, null, null, null, o.checkpointEvery(), null, null, o.taskBatches());
    }

    static Hyper.Overrides withHardOnly(Hyper.Overrides o) {
        return new Hyper.Overrides(null, o.batchSize(), o.referenceBatchSize(), o.lrScaling(), null, o.maxSteps(), null, null, null, null,
                null, null, null, null, null, null, true, o.checkpointEvery(), null, null, o.taskBatches());
    }
}
