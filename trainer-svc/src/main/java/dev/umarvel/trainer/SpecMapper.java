package dev.umarvel.trainer;

import dev.umarvel.api.v1.DataSpec;
import dev.umarvel.api.v1.DistillOptions;
import dev.umarvel.api.v1.EvaluationOptions;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.JobSpec;
import dev.umarvel.api.v1.MiningOptions;
import dev.umarvel.api.v1.ModelOptions;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.recipe.Hyper;
import dev.umarvel.recipe.HyperOverrides;
import dev.umarvel.recipe.InvalidSpecException;
import dev.umarvel.recipe.JobKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gRPC edge of a job spec: protobuf to the recipe's domain spec, with every default filled
 * and every invalid field named as the proto spells it ("spec.hyper.learning_rate: ...").
 */
final class SpecMapper {

    private SpecMapper() {}

    static dev.umarvel.recipe.JobSpec toDomain(JobSpec p, String jobId) {
        List<String> errors = new ArrayList<>();
        JobKind kind = kind(p, errors);
        String preset = p.getPreset().isEmpty() ? "small" : p.getPreset();
        if (!Hyper.PRESETS.contains(preset)) {
            errors.add("spec.preset: unknown preset '" + preset + "': expected one of " + Hyper.PRESETS);
        }
        if (p.getDisplayName().getBytes(StandardCharsets.UTF_8).length > 128) {
            errors.add("spec.display_name: at most 128 bytes");
        }
        Hyper hyper = null;
        try {
            hyper = kind == null ? null : Hyper.resolve(kind, preset, overrides(p.getHyper(), errors));
        } catch (InvalidSpecException e) {
            e.problems().forEach(problem -> errors.add("spec." + problem));
        }
        ModelConfig.Attention attention = switch (p.getModel().getAttention()) {
            case ATTENTION_MODE_UNSPECIFIED -> null;
            case ATTENTION_MODE_BIDIRECTIONAL -> ModelConfig.Attention.BIDIRECTIONAL;
            case ATTENTION_MODE_CAUSAL -> ModelConfig.Attention.CAUSAL;
            default -> {
                errors.add("spec.model.attention: unknown value " + p.getModel().getAttentionValue());
                yield null;
            }
        };
        ModelConfig.Pooling pooling = switch (p.getModel().getPooling()) {
            case POOLING_UNSPECIFIED -> null;
            case POOLING_MEAN -> ModelConfig.Pooling.MEAN;
            case POOLING_LAST_TOKEN -> ModelConfig.Pooling.LAST_TOKEN;
            default -> {
                errors.add("spec.model.pooling: unknown value " + p.getModel().getPoolingValue());
                yield null;
            }
        };
        ModelOptions m = p.getModel();
        MiningOptions mo = p.getMining();
        EvaluationOptions eo = p.getEvaluation();
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < eo.getTasksCount(); i++) {
            // any dataset's task: the job finds it among the dataset's query files, and names those it has when it is not there
            if (eo.getTasks(i).matches("[a-z0-9][a-z0-9_-]*_task[0-9]")) {
                tasks.add(eo.getTasks(i));
            } else {
                errors.add("spec.evaluation.tasks[" + i + "]: '" + eo.getTasks(i) + "' is not a task name of the form dataset_taskN");
            }
        }
        DistillOptions d = p.getDistill();
        dev.umarvel.recipe.JobSpec.Distill unset = dev.umarvel.recipe.JobSpec.Distill.defaults(); // what a field not set takes
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        DataSpec data = p.getData();
        return new dev.umarvel.recipe.JobSpec(kind,
                new dev.umarvel.recipe.JobSpec.Data(data.getDatasetDir(), data.getTrainQueries(), data.getTrainPool(),
                        data.getInstructions(), data.getPairs(), data.getHardNegatives(), data.getTeacherScores(),
                        data.getSkipValidation(), data.getCorpus(), data.getUpsampleMap()),
                p.getInitCheckpoint(), preset, p.getInitFromBase(),
                p.getOutputDir().isEmpty() ? "jobs/" + jobId : p.getOutputDir(), hyper,
                new dev.umarvel.recipe.JobSpec.ModelOptions(attention, pooling,
                        m.hasInstructionMasking() ? m.getInstructionMasking() : null,
                        m.hasCompressionPrompt() ? m.getCompressionPrompt() : null),
                new dev.umarvel.recipe.JobSpec.Mining(mo.hasTopN() ? mo.getTopN() : 100, mo.hasK() ? mo.getK() : 5,
                        mo.hasSimilarityThreshold() ? mo.getSimilarityThreshold() : null, mo.getLocalPool(),
                        mo.hasPositiveFraction() ? mo.getPositiveFraction() : dev.umarvel.recipe.JobSpec.Mining.POSITIVE_FRACTION,
                        mo.hasCopyCosine() ? mo.getCopyCosine() : 0),
                new dev.umarvel.recipe.JobSpec.Evaluation(eo.getSplit().isEmpty() ? "test" : eo.getSplit(),
                        !eo.hasGlobalPool() || eo.getGlobalPool(), tasks, eo.getReportDir(), eo.getQueriesPerTask(),
                        new dev.umarvel.recipe.JobSpec.Cascade(eo.getRerankerCheckpoint(),
                                eo.hasFusionWeight() ? eo.getFusionWeight() : dev.umarvel.recipe.JobSpec.Cascade.FUSION_WEIGHT,
                                eo.hasCascadeRecallK() ? eo.getCascadeRecallK() : dev.umarvel.recipe.JobSpec.Cascade.RECALL_K,
                                eo.getFusionSweepList())),
                new dev.umarvel.recipe.JobSpec.Distill(d.hasListSize() ? d.getListSize() : unset.listSize(), d.getRerankerCheckpoint(),
                        d.hasSampleFraction() ? d.getSampleFraction() : unset.sampleFraction(),
                        d.hasSampleSeed() ? d.getSampleSeed() : unset.sampleSeed(),
                        d.hasTeacherWeight() ? d.getTeacherWeight() : unset.teacherWeight(), Map.copyOf(d.getTaskTeacherWeightsMap())),
                p.getSeed());
    }

    private static JobKind kind(JobSpec p, List<String> errors) {
        return switch (p.getKind()) {
            case JOB_KIND_PRETRAIN -> JobKind.PRETRAIN;
            case JOB_KIND_TEXT_ALIGN -> JobKind.TEXT_ALIGN;
            case JOB_KIND_CROSS_MODAL -> JobKind.CROSS_MODAL;
            case JOB_KIND_INSTRUCTION -> JobKind.INSTRUCTION;
            case JOB_KIND_MINE_HARD_NEGATIVES -> JobKind.MINE_HARD_NEGATIVES;
            case JOB_KIND_HARD_NEGATIVE -> JobKind.HARD_NEGATIVE;
            case JOB_KIND_RERANKER -> JobKind.RERANKER;
            case JOB_KIND_DISTILL -> JobKind.DISTILL;
            case JOB_KIND_CONTINUE_HARD -> JobKind.CONTINUE_HARD;
            case JOB_KIND_EVALUATE -> JobKind.EVALUATE;
            case JOB_KIND_UNSPECIFIED -> {
                errors.add("spec.kind: must be set");
                yield null;
            }
            default -> {
                errors.add("spec.kind: unknown value " + p.getKindValue());
                yield null;
            }
        };
    }

    private static HyperOverrides overrides(HyperParameters h, List<String> errors) {
        Hyper.LrScaling scaling = switch (h.getLrScaling()) {
            case LR_SCALING_UNSPECIFIED -> null;
            case LR_SCALING_SQRT -> Hyper.LrScaling.SQRT;
            case LR_SCALING_LINEAR -> Hyper.LrScaling.LINEAR;
            case LR_SCALING_NONE -> Hyper.LrScaling.NONE;
            default -> {
                errors.add("spec.hyper.lr_scaling: unknown value " + h.getLrScalingValue());
                yield null;
            }
        };
        Boolean learnable = switch (h.getTemperature()) {
            case TEMPERATURE_MODE_UNSPECIFIED -> null;
            case TEMPERATURE_MODE_FIXED -> false;
            case TEMPERATURE_MODE_LEARNABLE -> true;
            default -> {
                errors.add("spec.hyper.temperature: unknown value " + h.getTemperatureValue());
                yield null;
            }
        };
        Boolean bidirectional = switch (h.getLossDirection()) {
            case LOSS_DIRECTION_UNSPECIFIED -> null;
            case LOSS_DIRECTION_QUERY_TO_CANDIDATE -> false;
            case LOSS_DIRECTION_BIDIRECTIONAL -> true;
            default -> {
                errors.add("spec.hyper.loss_direction: unknown value " + h.getLossDirectionValue());
                yield null;
            }
        };
        Hyper.Trainable trainable = switch (h.getTrainable()) {
            case TRAINABLE_UNSPECIFIED -> null;
            case TRAINABLE_FULL -> Hyper.Trainable.FULL;
            case TRAINABLE_LORA -> Hyper.Trainable.LORA;
            case TRAINABLE_ALIGN -> Hyper.Trainable.ALIGN;
            default -> {
                errors.add("spec.hyper.trainable: unknown value " + h.getTrainableValue());
                yield null;
            }
        };
        Hyper.RerankerLoss rerankerLoss = switch (h.getRerankerLoss()) {
            case RERANKER_LOSS_UNSPECIFIED -> null;
            case RERANKER_LOSS_VOCABULARY -> Hyper.RerankerLoss.VOCABULARY;
            case RERANKER_LOSS_ANSWERS -> Hyper.RerankerLoss.ANSWERS;
            case RERANKER_LOSS_LISTWISE -> Hyper.RerankerLoss.LISTWISE;
            default -> {
                errors.add("spec.hyper.reranker_loss: unknown value " + h.getRerankerLossValue());
                yield null;
            }
        };
        return HyperOverrides.none().learningRate(h.hasLearningRate() ? h.getLearningRate() : null)
                .batchSize(h.hasBatchSize() ? h.getBatchSize() : null)
                .referenceBatchSize(h.hasReferenceBatchSize() ? h.getReferenceBatchSize() : null).lrScaling(scaling)
                .epochs(h.hasEpochs() ? h.getEpochs() : null).maxSteps(h.hasMaxSteps() ? h.getMaxSteps() : null)
                .warmupRatio(h.hasWarmupRatio() ? h.getWarmupRatio() : null).weightDecay(h.hasWeightDecay() ? h.getWeightDecay() : null)
                .gradClip(h.hasGradClip() ? h.getGradClip() : null).trainable(trainable)
                .loraRank(h.hasLoraRank() ? h.getLoraRank() : null).loraAlpha(h.hasLoraAlpha() ? h.getLoraAlpha() : null)
                .loraDropout(h.hasLoraDropout() ? h.getLoraDropout() : null)
                .temperatureInit(h.hasTemperatureInit() ? h.getTemperatureInit() : null).learnableTemperature(learnable)
                .bidirectionalLoss(bidirectional).hardNegatives(h.hasHardNegativesPerQuery() ? h.getHardNegativesPerQuery() : null)
                .hardNegativesOnly(h.getHardNegativesOnly() ? Boolean.TRUE : null)
                .checkpointEvery(h.hasCheckpointEverySteps() ? h.getCheckpointEverySteps() : null)
                .evalEvery(h.hasEvalEverySteps() ? h.getEvalEverySteps() : null).mergeLora(h.hasMergeLora() ? h.getMergeLora() : null)
                .taskBatches(h.hasTaskBatches() ? h.getTaskBatches() : null)
                .imageViews(h.hasImageViews() ? h.getImageViews() : null)
                .textViews(h.hasTextViews() ? h.getTextViews() : null).rerankerLoss(rerankerLoss);
    }

    /** The spec as given with the resolved defaults written back, as Job.spec reports it. */
    static JobSpec withDefaults(JobSpec p, dev.umarvel.recipe.JobSpec d) {
        Hyper h = d.hyper();
        return p.toBuilder().setPreset(d.preset()).setOutputDir(d.outputDir())
                .setHyper(p.getHyper().toBuilder().setLearningRate(h.learningRate()).setBatchSize(h.batchSize())
                        .setReferenceBatchSize(h.referenceBatchSize()).setEpochs(h.epochs()).setWarmupRatio(h.warmupRatio())
                        .setWeightDecay(h.weightDecay()).setGradClip(h.gradClip()).setLoraRank(h.loraRank()).setLoraAlpha(h.loraAlpha())
                        .setLoraDropout(h.loraDropout()).setTemperatureInit(h.temperatureInit())
                        .setHardNegativesPerQuery(h.hardNegatives()).setCheckpointEverySteps(h.checkpointEvery())
                        .setMergeLora(h.mergeLora()).setRerankerLoss(switch (h.rerankerLoss()) {
                            case VOCABULARY -> dev.umarvel.api.v1.RerankerLoss.RERANKER_LOSS_VOCABULARY;
                            case ANSWERS -> dev.umarvel.api.v1.RerankerLoss.RERANKER_LOSS_ANSWERS;
                            case LISTWISE -> dev.umarvel.api.v1.RerankerLoss.RERANKER_LOSS_LISTWISE;
                        }))
                .build();
    }
}
