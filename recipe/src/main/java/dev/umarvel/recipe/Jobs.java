package dev.umarvel.recipe;

import dev.umarvel.recipe.jobs.ContrastiveJob;
import dev.umarvel.recipe.jobs.DistillJob;
import dev.umarvel.recipe.jobs.EvaluateJob;
import dev.umarvel.recipe.jobs.MiningJob;
import dev.umarvel.recipe.jobs.PretrainJob;
import dev.umarvel.recipe.jobs.RerankerJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs a job of any kind; returns its output (a checkpoint directory, a mined file or a report directory). */
public final class Jobs {

    private Jobs() {}

    public static Path run(JobContext ctx, JobSpec spec) throws Exception {
        validate(ctx, spec);
        Files.createDirectories(ctx.output());
        return switch (spec.kind()) {
            case PRETRAIN -> PretrainJob.run(ctx, spec);
            case TEXT_ALIGN, CROSS_MODAL, INSTRUCTION, HARD_NEGATIVE, CONTINUE_HARD -> ContrastiveJob.run(ctx, spec);
            case MINE_HARD_NEGATIVES -> MiningJob.run(ctx, spec);
            case RERANKER -> RerankerJob.run(ctx, spec);
            case DISTILL -> DistillJob.run(ctx, spec);
            case EVALUATE -> EvaluateJob.run(ctx, spec);
        };
    }

    /**
     * What can be checked before a job starts: required inputs per kind, paths confined to the store
     * and present, ranges of the kind-specific settings. Throws {@link InvalidSpecException} naming
     * the field, or {@link java.nio.file.NoSuchFileException} for an input that does not exist.
     */
    public static void validate(JobContext ctx, JobSpec spec) throws java.io.IOException {
        if (spec.data().datasetDir().isEmpty()) {
            throw new InvalidSpecException("data.dataset_dir: required");
        }
        mustExist(ctx.dataset(spec).root());
        List<String> names = java.util.Arrays.stream(dev.umarvel.mbeir.MbeirDataset.values()).map(dev.umarvel.mbeir.MbeirDataset::stem).toList();
        for (Map.Entry<String, Integer> u : new java.util.TreeMap<>(spec.data().upsample()).entrySet()) {
            if (!names.contains(u.getKey())) {
                throw new InvalidSpecException("data.upsample[" + u.getKey() + "]: not an M-BEIR dataset: expected one of " + names);
            }
            if (u.getValue() < 1 || u.getValue() > 100) {
                throw new InvalidSpecException("data.upsample[" + u.getKey() + "]: must be 1..100 times, got " + u.getValue());
            }
        }
        if (spec.kind() != JobKind.PRETRAIN || !spec.initCheckpoint().isEmpty()) {
            if (spec.initCheckpoint().isEmpty()) {
                throw new InvalidSpecException("init_checkpoint: required for " + spec.kind());
            }
            mustExist(ctx.resolve("init_checkpoint", spec.initCheckpoint()));
        }
        if (spec.kind() == JobKind.PRETRAIN && spec.initCheckpoint().isEmpty()) {
            if (Hyper.pretrained(spec.preset())) {
                throw new InvalidSpecException("preset: '" + spec.preset() + "' is an imported encoder, not pre-trained here: "
                        + "umarvel model import writes its checkpoint, and its first job is the alignment stage (init_checkpoint)");
            }
            try {
                dev.umarvel.model.ModelConfig.preset(spec.preset());
            } catch (IllegalArgumentException e) {
                throw new InvalidSpecException("preset: " + e.getMessage());
            }
        }
        if (spec.kind() == JobKind.HARD_NEGATIVE) {
            mustExist(ctx.resolve("data.hard_negatives", spec.data().hardNegatives()));
        }
        if (spec.kind() == JobKind.DISTILL || spec.kind() == JobKind.CONTINUE_HARD) {
            if (spec.data().teacherScores().isEmpty()) {
                if (spec.distill().rerankerCheckpoint().isEmpty()) {
                    throw new InvalidSpecException("data.teacher_scores: required unless distill.reranker_checkpoint is given");
                }
                mustExist(ctx.resolve("distill.reranker_checkpoint", spec.distill().rerankerCheckpoint()));
            } else {
                mustExist(ctx.resolve("data.teacher_scores", spec.data().teacherScores()));
            }
            JobSpec.Distill d = spec.distill();
            if (!(d.sampleFraction() > 0 && d.sampleFraction() <= 1)) {
                throw new InvalidSpecException("distill.sample_fraction: must be in (0, 1], got " + d.sampleFraction());
            }
            if (d.listSize() < 2 || d.listSize() > 1000) {
                throw new InvalidSpecException("distill.list_size: must be in 2..1000, got " + d.listSize());
            }
            if (!(d.teacherWeight() >= 0)) {
                throw new InvalidSpecException("distill.teacher_weight: must be >= 0, got " + d.teacherWeight());
            }
        }
        if (spec.kind() == JobKind.MINE_HARD_NEGATIVES) {
            JobSpec.Mining m = spec.mining();
            if (m.k() < 1) {
                throw new InvalidSpecException("mining.k: must be >= 1, got " + m.k());
            }
            if (m.topN() < m.k() || m.topN() > 10_000) {
                throw new InvalidSpecException("mining.top_n: must be in k.." + 10_000 + ", got " + m.topN());
            }
            if (m.similarityThreshold() != null && !(m.similarityThreshold() > -1 && m.similarityThreshold() <= 1)) {
                throw new InvalidSpecException("mining.similarity_threshold: must be in (-1, 1], got " + m.similarityThreshold());
            }
            if (!(m.positiveFraction() >= 0 && m.positiveFraction() <= 1)) {
                throw new InvalidSpecException("mining.positive_fraction: must be in [0, 1] (0: off), got " + m.positiveFraction());
            }
            if (!(m.copyCosine() >= 0 && m.copyCosine() < 1)) {
                throw new InvalidSpecException("mining.copy_cosine: must be in [0, 1) (0: off), got " + m.copyCosine());
            }
        }
        if (spec.kind() == JobKind.EVALUATE) {
            String split = spec.evaluation().split();
            if (!split.equals("val") && !split.equals("test")) {
                throw new InvalidSpecException("evaluation.split: must be val or test, got " + split);
            }
            JobSpec.Cascade cascade = spec.evaluation().cascade();
            if (cascade.enabled()) {
                mustExist(ctx.resolve("evaluation.reranker_checkpoint", cascade.rerankerCheckpoint()));
            }
            for (int i = 0; i < cascade.fusionSweep().size(); i++) {
                double w = cascade.fusionSweep().get(i);
                if (Double.isNaN(w) || w < 0) {
                    throw new InvalidSpecException("evaluation.fusion_sweep[" + i + "]: must be 0 or more (Infinity: the reranker's order), got "
                            + w);
                }
            }
            int recallK = cascade.recallK();
            if (recallK < 1 || recallK > 1000) {
                throw new InvalidSpecException("evaluation.cascade_recall_k: must be in 1..1000, got " + recallK);
            }
            if (spec.evaluation().queriesPerTask() < 0) {
                throw new InvalidSpecException("evaluation.queries_per_task: must be 0 (all) or more, got "
                        + spec.evaluation().queriesPerTask());
            }
        }
        if (spec.kind() == JobKind.RERANKER && !spec.data().hardNegatives().isEmpty()) {
            mustExist(ctx.resolve("data.hard_negatives", spec.data().hardNegatives()));
        }
    }

    private static void mustExist(Path p) throws java.nio.file.NoSuchFileException {
        if (!Files.exists(p)) {
            throw new java.nio.file.NoSuchFileException(p.toString());
        }
    }
}
