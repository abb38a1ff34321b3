package dev.umarvel.cli;

import dev.umarvel.api.v1.DataSpec;
import dev.umarvel.api.v1.GetJobRequest;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobEvent;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.JobSpec;
import dev.umarvel.api.v1.JobState;
import dev.umarvel.api.v1.MiningOptions;
import dev.umarvel.api.v1.StartJobRequest;
import dev.umarvel.api.v1.TrainerGrpc;
import dev.umarvel.api.v1.WatchJobRequest;
import dev.umarvel.recipe.Hyper;
import dev.umarvel.recipe.StepPlan;
import dev.umarvel.recipe.data.DerivedPairs;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The recipe's stages as jobs on trainer-svc, one after the other, each shown with a progress bar.
 * Job ids are fixed per stage ({@code <prefix>-<stage>}), so a second run finds the jobs that
 * succeeded and reuses their output instead of training again; a failed job, or one that ran another spec
 * (an upgrade's new step plan, a new input checkpoint), is started anew under the next free id.
 */
final class TrainerChain {

    private final TrainerGrpc.TrainerBlockingStub trainer;
    private final String prefix;
    private final String data;
    private final String preset;
    private final long seed;
    /** Each stage run so far and its job's output directory (store-relative), in order. */
    private final java.util.Map<String, String> outputs = new java.util.LinkedHashMap<>();

    TrainerChain(TrainerGrpc.TrainerBlockingStub trainer, String prefix, String data, String preset, long seed) {
        this.trainer = trainer;
        this.prefix = prefix;
        this.data = data;
        this.preset = preset;
        this.seed = seed;
    }

    /**
     * Stage 0 to the hard-negative stage and the reranker: {retriever, reranker} checkpoints, store-relative. Steps follow
     * the instruction stage's {@code s} through the preset's {@link StepPlan}.
     */
    String[] recipe(long s) {
        return recipe(s, PairStages.ALL);
    }

    /** As {@link #recipe(long)}, without the pair stages the dataset has no pairs for (each skip said). */
    String[] recipe(long s, PairStages stages) {
        StepPlan plan = StepPlan.of(preset, s);
        String pre = job("pretrain", JobKind.JOB_KIND_PRETRAIN, "", plan.pretrain(), b -> b);
        String text = pre;
        if (stages.text()) {
            text = job("text", JobKind.JOB_KIND_TEXT_ALIGN, pre, plan.text(), b -> b);
        } else {
            System.out.println("text stage skipped: " + data + " has no text pairs and no text -> text training query to derive them from");
        }
        String cross = text;
        if (stages.crossModal()) {
            cross = job("cross-modal", JobKind.JOB_KIND_CROSS_MODAL, text, plan.crossModal(), b -> b);
        } else {
            System.out.println("cross-modal stage skipped: " + data + " has no caption-image pairs and no text <-> image training "
                    + "query to derive them from");
        }
        return fromCrossModal(plan, pre, cross);
    }

    /**
     * Which of the two pair stages a dataset can feed: its pair file, or pairs derived from its training queries as the
     * jobs derive them (M-BEIR-synth has both; a captioned image folder has no text -> text query, so no text pairs).
     */
    record PairStages(boolean text, boolean crossModal) {
        static final PairStages ALL = new PairStages(true, true);

        static PairStages of(dev.umarvel.mbeir.MbeirLayout layout) throws java.io.IOException {
            dev.umarvel.mbeir.TrainingSet set = dev.umarvel.mbeir.TrainingSet.load(layout.unionTrainQueries(),
                    layout.unionPool(dev.umarvel.mbeir.MbeirLayout.TRAIN), layout.instructions());
            return new PairStages(java.nio.file.Files.exists(layout.textPairs()) || !DerivedPairs.textPairs(set).isEmpty(),
                    java.nio.file.Files.exists(layout.captionImagePairs()) || !DerivedPairs.captionImagePairs(set).isEmpty());
        }
    }

    /**
     * The recipe on an imported encoder ({@code backbone}, store-relative): its alignment stage (cross-modal pairs, the
     * vision tower, projector and tau trained into the frozen encoder's space) takes the place of pre-training and the
     * text and cross-modal stages; the reranker starts from the aligned model, so it sees images it can read.
     */
    String[] recipeOn(String backbone, long s) {
        StepPlan plan = StepPlan.of(preset, s);
        // batches of 32 at the rate tuned for 64 (sqrt-scaled to 7.1e-4): the setting the alignment sweep measured (docs/pretrained.md)
        String aligned = job("align", JobKind.JOB_KIND_CROSS_MODAL, backbone, plan.crossModal(),
                b -> b.setHyper(b.getHyper().toBuilder().setTrainable(dev.umarvel.api.v1.Trainable.TRAINABLE_ALIGN).setBatchSize(ALIGN_BATCH)));
        return fromCrossModal(plan, aligned, aligned);
    }

    /** Caption-image pairs per alignment step on an imported encoder. */
    static final int ALIGN_BATCH = 32;

    /**
     * The instruction stage onwards; the reranker starts from {@code rerankerBase}. On our own presets its "No" pairs come
     * from a second mining pass: the final retriever's top lists in each task's own pool, which are what a cascade gives it
     * to rerank (the first pass, the instruction-stage model's over the union, is mostly other datasets' candidates, which a
     * reranker tells apart by dataset alone). Measured on synth small (docs/training.md): the cascade's gain over SINGLE went
     * from +1.0 to +5.0 local with these lists, the exact-match flags and 300 steps. An imported encoder keeps the one pass:
     * mining there costs ~12 minutes a pass, and its LoRA reranker was not measured with the second.
     */
    private String[] fromCrossModal(StepPlan plan, String rerankerBase, String cross) {
        String instruction = job("instruction", JobKind.JOB_KIND_INSTRUCTION, cross, plan.instruction(),
                b -> b.setData(b.getData().toBuilder().putAllUpsample(StepPlan.upsample(preset))));
        String mined = job("mine", JobKind.JOB_KIND_MINE_HARD_NEGATIVES, instruction, 1, b -> b);
        String retriever = job("hard-negatives", JobKind.JOB_KIND_HARD_NEGATIVE, instruction, plan.hardNegatives(),
                b -> b.setData(b.getData().toBuilder().setHardNegatives(mined))
                        .setHyper(b.getHyper().toBuilder().setHardNegativesPerQuery(StepPlan.HARD_NEGATIVES_PER_QUERY)));
        String rerankerLists = Hyper.pretrained(preset) ? mined : job("mine-reranker", JobKind.JOB_KIND_MINE_HARD_NEGATIVES, retriever, 1,
                b -> b.setMining(MiningOptions.newBuilder().setLocalPool(true)));
        String reranker = job("reranker", JobKind.JOB_KIND_RERANKER, rerankerBase, plan.reranker(),
                b -> b.setInitFromBase(true).setData(b.getData().toBuilder().setHardNegatives(rerankerLists)));
        return new String[] {retriever, reranker};
    }

    /**
     * What training buys: a model after one pre-training step (or the imported {@code backbone} as it is, its vision side
     * fresh), evaluated in process on the trainer (exact search, test split, local and global pools) on the trained modes'
     * queries: the first {@code queriesPerTask} of each task (0: all). Returns {mean local, mean global}.
     */
    double[] untrained(java.nio.file.Path store, String backbone, int queriesPerTask) throws java.io.IOException {
        String init = backbone != null ? backbone : job("untrained", JobKind.JOB_KIND_PRETRAIN, "", 1, b -> b);
        String report = job("untrained-eval", JobKind.JOB_KIND_EVALUATE, init, 1, b -> b.setEvaluation(
                dev.umarvel.api.v1.EvaluationOptions.newBuilder().setSplit("test").setGlobalPool(true).setQueriesPerTask(queriesPerTask)));
        com.fasterxml.jackson.databind.JsonNode e = dev.umarvel.mbeir.Json.MAPPER.readTree(store.resolve(report).resolve("evaluation.json")
                .toFile()).get("evaluations").get(0);
        return new double[] {e.get("mean_local").asDouble(), e.path("mean_global").asDouble(Double.NaN)};
    }

    /** Runs one job (or reuses its earlier success) and returns its output. */
    String job(String stage, JobKind kind, String init, long steps, UnaryOperator<JobSpec.Builder> customise) {
        String id = prefix + "-" + stage;
        JobSpec spec = customise.apply(JobSpec.newBuilder().setKind(kind).setDisplayName("quickstart " + stage)
                .setData(DataSpec.newBuilder().setDatasetDir(data).setSkipValidation(true)).setInitCheckpoint(init).setPreset(preset)
                .setHyper(HyperParameters.newBuilder().setMaxSteps(Math.max(1, steps))).setSeed(seed)).build();
        Job job = start(id, spec);
        if (job.getState() == JobState.JOB_STATE_SUCCEEDED) {
            System.out.println("reusing " + stage + ": " + job.getOutput());
            outputs.put(stage, job.getSpec().getOutputDir());
            return job.getOutput();
        }
        try (Progress bar = new Progress(stage, Math.max(1, steps))) {
            Iterator<JobEvent> events = trainer.watchJob(WatchJobRequest.newBuilder().setJobId(job.getJobId()).build());
            while (events.hasNext()) {
                JobEvent e = events.next();
                if (e.hasProgress()) {
                    bar.update(e.getProgress().getStep(), Math.max(1, e.getProgress().getTotalSteps()),
                            String.format(Locale.ROOT, "loss %.3f", e.getProgress().getLoss()));
                }
            }
        }
        job = trainer.getJob(GetJobRequest.newBuilder().setJobId(job.getJobId()).build());
        if (job.getState() != JobState.JOB_STATE_SUCCEEDED) {
            throw new IllegalStateException(stage + ": job " + job.getJobId() + " ended " + job.getState() + ": " + job.getReason());
        }
        outputs.put(stage, job.getSpec().getOutputDir());
        return job.getOutput();
    }

    /** Each stage run (or reused) so far and its job's output directory, store-relative, in order. */
    java.util.Map<String, String> outputs() {
        return outputs;
    }

    /**
     * Whether a job that reports {@code earlier} (its spec with the trainer's resolved defaults written back) ran what
     * {@code requested} asks: every field the request sets has the same value there. A changed step plan, input
     * checkpoint or option is a different job, not one to reuse. Defaults changed in the trainer's code are not seen
     * here: {@code --retrain} is for those.
     */
    static boolean ran(JobSpec earlier, JobSpec requested) {
        return earlier.equals(earlier.toBuilder().mergeFrom(requested).build());
    }

    /**
     * Starts the stage's job; an earlier one with its id is reused unless it failed, was cancelled or ran another spec
     * (then the next free id, {@code <id>-2}, {@code <id>-3}, ..., runs it).
     */
    private Job start(String id, JobSpec spec) {
        for (int attempt = 1;; attempt++) {
            String attemptId = attempt == 1 ? id : id + "-" + attempt;
            try {
                return trainer.startJob(StartJobRequest.newBuilder().setJobId(attemptId).setSpec(spec).build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                    throw e;
                }
                Job earlier = trainer.getJob(GetJobRequest.newBuilder().setJobId(attemptId).build());
                boolean ended = earlier.getState() == JobState.JOB_STATE_FAILED || earlier.getState() == JobState.JOB_STATE_CANCELLED;
                if (!ended && ran(earlier.getSpec(), spec)) {
                    return earlier;
                }
                if (!ended) {
                    System.out.println("not reusing " + attemptId + ": it ran another spec (steps, input or options changed)");
                }
            }
        }
    }
}
