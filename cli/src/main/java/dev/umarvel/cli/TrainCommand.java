package dev.umarvel.cli;

import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.TeacherFile;
import dev.umarvel.mbeir.eval.EvaluationReport;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.recipe.Hyper;
import dev.umarvel.recipe.HyperOverrides;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobKind;
import dev.umarvel.recipe.JobListener;
import dev.umarvel.recipe.JobSpec;
import dev.umarvel.recipe.Jobs;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code umarvel train KIND ...}: one job of the recipe, in process, the same code trainer-svc runs. */
@Command(showDefaultValues = true, name = "train", mixinStandardHelpOptions = true,
        description = "Run one job of the recipe in process: pretrain, text-align, cross-modal, instruction, mine-hard-negatives, "
                + "hard-negative, reranker, distill, continue-hard, evaluate. Relative paths start at --store; absolute ones and "
                + "links out of it are read and written where they point.")
final class TrainCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "The job kind, e.g. instruction or mine-hard-negatives.")
    String kind;

    @Option(showDefaultValue = Visibility.NEVER, names = "--store", defaultValue = ".", description = "Store root every path is relative to (default: here).")
    Path store;

    @Option(names = "--data", required = true, description = "M-BEIR-layout dataset directory.")
    String data;

    @Option(names = "--init", defaultValue = "", description = "Initial checkpoint (required except for pretrain).")
    String init;

    @Option(names = "--out", required = true, description = "Output directory of the job.")
    String out;

    @Option(showDefaultValue = Visibility.NEVER, names = "--preset", defaultValue = "small", description = "tiny, small or base (learned here: pretrain "
            + "starts a fresh model of that shape), or minilm or e5-small (an imported encoder, --init its checkpoint: LoRA at rates "
            + "for short runs); default: small.")
    String preset;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of initialisation, batch order and sampling.")
    long seed;

    @Option(names = "--lr", description = "Peak learning rate at --reference-batch (default: the preset's for this kind, printed as the job starts).") Double lr;
    @Option(names = "--batch", description = "Examples per step (default: the preset's for this kind, printed as the job starts).") Integer batch;
    @Option(names = "--reference-batch", description = "Batch size --lr was tuned at; --lr-scaling moves it to --batch (default: the preset's for this kind, printed as the job starts).") Integer referenceBatch;
    @Option(names = "--lr-scaling", description = "How lr follows the batch size: sqrt (paper), linear (released code) or none (default: the preset's for this kind, printed as the job starts).") String lrScaling;
    @Option(names = "--epochs", description = "Passes over the training examples; --max-steps wins when given (default: the preset's for this kind, printed as the job starts).") Double epochs;
    @Option(names = "--max-steps", description = "Steps to train, whatever --epochs says (default: the preset's for this kind, printed as the job starts).") Long maxSteps;
    @Option(names = "--trainable", description = "full (every weight), lora (adapters only) or align (vision tower and projector only, for an imported "
            + "encoder); default: full for our from-scratch presets, lora for minilm and e5-small")
    String trainable;
    @Option(names = "--lora-rank", description = "Rank of the LoRA adapters with --trainable lora, capped at the model width (default: the preset's for this kind, printed as the job starts).") Integer loraRank;
    @Option(names = "--warmup", description = "Fraction of the steps the learning rate warms up over (default: the preset's for this kind, printed as the job starts).") Double warmup;
    @Option(names = "--weight-decay", description = "AdamW weight decay (default: the preset's for this kind, printed as the job starts).") Double weightDecay;
    @Option(names = "--eval-every", description = "Validation recall every N steps, the learning curve (default: 8 points over the run).") Long evalEvery;
    @Option(names = "--temperature-init", description = "Initial contrastive temperature tau (default: the preset's for this kind, printed as the job starts).") Double temperatureInit;
    @Option(names = "--learnable-tau", negatable = true, description = "Train tau (default: per kind).") Boolean learnableTau;
    @Option(names = "--bidirectional-loss", negatable = true, description = "Contrast candidates to queries too, not only queries to candidates (default: the preset's for this kind, printed as the job starts).") Boolean bidirectionalLoss;
    @Option(names = "--hard-negatives-per-query", description = "Mined negatives added to each query's candidates in the hard-negative stage (default: the preset's for this kind, printed as the job starts).") Integer hardNegativesPerQuery;
    @Option(names = "--hard-negatives-only", description = "Ablation: no in-batch negatives.") boolean hardNegativesOnly;
    @Option(names = "--checkpoint-every", description = "Steps between resumable checkpoints (default: the preset's for this kind, printed as the job starts).") Long checkpointEvery;
    @Option(names = "--upsample", description = "Instruction and hard-negative stages: repeat each training query of an M-BEIR dataset this many "
            + "times per epoch, e.g. --upsample webqa=3 (default: once each).") Map<String, Integer> upsample = new java.util.HashMap<>();
    @Option(names = "--task-batches", negatable = true,
            description = "Cut each batch from one task's queries (default: on for instruction, off otherwise).") Boolean taskBatches;
    @Option(names = "--image-views", negatable = true,
            description = "Cross-modal: also contrast each image with a shifted, re-shaded view of itself (default: on).") Boolean imageViews;
    @Option(names = "--text-views", negatable = true,
            description = "Text-align: add pairs of two random spans of one training-pool text (default: on).") Boolean textViews;
    @Option(names = "--reranker-loss", description = "Reranker: answers (cross-entropy between Yes and No), vocabulary (over every "
            + "word, the paper's) or listwise (the positive among --hard-negatives-per-query mined negatives, by log-odds of Yes); "
            + "default: answers.") String rerankerLoss;

    @Option(names = "--train-queries", defaultValue = "", description = "Training query file, relative to --data (default: "
            + "query/union_train/mbeir_union_up_train.jsonl, the union of every dataset's training queries).")
    String trainQueries;

    @Option(names = "--train-pool", defaultValue = "", description = "Pool the training queries' dids resolve in, relative to --data "
            + "(default: cand_pool/global/mbeir_union_train_cand_pool.jsonl).")
    String trainPool;

    @Option(names = "--hard-negatives", defaultValue = "", description = "Mined hard-negative file (hard-negative, reranker).")
    String hardNegatives;

    @Option(names = "--teacher", defaultValue = "", description = "Teacher-score file (distill, continue-hard).")
    String teacher;

    @Option(names = "--reranker", defaultValue = "", description = "Reranker checkpoint (teacher scoring; cascade in evaluate).")
    String reranker;

    @Option(names = "--top-n", defaultValue = "100", description = "Mining: candidates retrieved per training query.") int topN;
    @Option(names = "--k", defaultValue = "5", description = "Mining: hard negatives kept per query, the top ones after filtering.") int k;
    @Option(names = "--threshold", description = "Mining: drop candidates above this cosine (default: none).") Double threshold;
    @Option(names = "--positive-fraction", defaultValue = "0.95",
            description = "Mining: drop candidates above this fraction of the positive's score (0: off).") double positiveFraction;
    @Option(names = "--copy-cosine", defaultValue = "0",
            description = "Mining: drop candidates whose embedding is above this cosine with a positive's, a copy of it (0: off).") double copyCosine;
    @Option(names = "--local-pool", description = "Mining: search each task's own training pool.") boolean localPool;
    @Option(names = "--sample-fraction", defaultValue = "0.1", description = "Distill: fraction of the training queries the teacher scores.") double sampleFraction;
    @Option(names = "--list-size", defaultValue = "50", description = "Distill: candidates in each query's teacher list.") int listSize;
    @Option(names = "--teacher-weight", defaultValue = "" + TeacherFile.DEFAULT_WEIGHT,
            description = "Distill: w of the teacher's cos + w P(Yes) (the paper's: 1).") double teacherWeight;
    @Option(names = "--split", defaultValue = "test", description = "Evaluate: the query split (test or val).") String split;
    @Option(names = "--no-global", description = "Evaluate: local pools only.") boolean noGlobal;
    @Option(names = "--fusion-weight", defaultValue = "0.1", description = "Evaluate: w of the cascade's cos + w P(Yes).") double fusionWeight;
    @Option(names = "--fusion-sweep", split = ",", description = "Evaluate: also rank the cascade at each of these w, on the same "
            + "reranker scores (Infinity: by P(Yes) alone), e.g. 0,0.3,1,Infinity; default: none.")
    List<Double> fusionSweep = List.of();
    @Option(names = "--cascade-recall-k", defaultValue = "50", description = "Candidates the evaluated cascade reranks per query.")
    int cascadeRecallK;
    @Option(names = "--queries-per-task", defaultValue = "0", description = "evaluate: the first n queries of each task, as umarvel eval "
            + "takes them (0: all).")
    int queriesPerTask;
    @Option(names = "--overfit-batch", description = "Diagnose: train on one fixed batch (--batch examples spread over the training "
            + "file) until the loss nears 0. A stage that cannot overfit one batch is missing a trainable part or a gradient path.")
    boolean overfitBatch;
    @Option(names = "--no-validation", description = "Skip the whole val split's evaluation at the end of an embedding stage (minutes on a "
            + "large split); the learning curve's probe still measures a slice of it.")
    boolean noValidation;
    @Option(names = "--attention", description = "bidirectional or causal (default: per kind and backbone: causal for pretrain and for a reranker on our own presets, bidirectional otherwise).") String attention;
    @Option(names = "--pooling", description = "mean or last_token (default: the checkpoint's, mean).") String pooling;
    @Option(names = "--instruction-masking", negatable = true, description = "Leave the instruction's tokens out of the mean pool (default: the checkpoint's, on).") Boolean instructionMasking;
    @Option(names = "--compression-prompt", negatable = true, description = "Append \"Summarize above ... in one word: <emb>\" and pool there (default: the checkpoint's, off).") Boolean compressionPrompt;

    @Override
    public Integer call() throws Exception {
        JobKind jobKind;
        try {
            jobKind = JobKind.valueOf(kind.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown job kind '" + kind + "': expected one of "
                    + java.util.Arrays.stream(JobKind.values()).map(k -> k.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
        }
        JobSpec spec = spec(jobKind);
        Path root = store.toAbsolutePath().normalize();
        System.out.println(kind + " on " + preset + ": " + spec.hyper());
        try (Progress progress = new Progress(kind, 1)) {
            // the user's own files: --data, --init, --out and the rest may be absolute or lead out of the store through a link
            JobContext ctx = new JobContext(root, root.resolve(out), new Listener(progress), () -> false, false);
            Path result = Jobs.run(ctx, spec);
            progress.close();
            System.out.println(kind + " done: " + ctx.relative(result));
            if (java.nio.file.Files.exists(ctx.output().resolve("curve.json"))) {
                LearningCurves.draw(root, Map.of(kind, ctx.output().toString()), ctx.output());
                System.out.println("learning curve: " + ctx.relative(ctx.output().resolve("curve.json")) + " (curve.jsonl, losses.png, curves.png beside it)");
            }
        }
        return 0;
    }

    /** An option's value as one of its enum's constants (null when the option is absent), or an error listing the choices. */
    static <E extends Enum<E>> E choice(String option, String value, Class<E> type) {
        if (value == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException(option + ": expected one of " + java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList() + ", got '" + value + "'");
    }

    JobSpec spec(JobKind jobKind) throws java.io.IOException {
        HyperOverrides o = HyperOverrides.none().learningRate(lr).batchSize(batch).referenceBatchSize(referenceBatch)
                .lrScaling(choice("--lr-scaling", lrScaling, Hyper.LrScaling.class)).epochs(epochs)
                .maxSteps(maxSteps).trainable(choice("--trainable", trainable, Hyper.Trainable.class))
                .loraRank(loraRank).temperatureInit(temperatureInit).learnableTemperature(learnableTau)
                .bidirectionalLoss(bidirectionalLoss).hardNegatives(hardNegativesPerQuery).hardNegativesOnly(hardNegativesOnly ? Boolean.TRUE : null)
                .checkpointEvery(checkpointEvery).evalEvery(evalEvery).warmupRatio(warmup).weightDecay(weightDecay).taskBatches(taskBatches).imageViews(imageViews).textViews(textViews)
                .rerankerLoss(choice("--reranker-loss", rerankerLoss, Hyper.RerankerLoss.class));
        JobSpec.ModelOptions model = new JobSpec.ModelOptions(
                choice("--attention", attention, ModelConfig.Attention.class),
                choice("--pooling", pooling, ModelConfig.Pooling.class), instructionMasking, compressionPrompt);
        String queries = trainQueries;
        String pairs = "";
        if (overfitBatch) {
            int n = batch != null ? batch : Hyper.presetBatch(preset);
            MbeirLayout layout = new MbeirLayout(store.toAbsolutePath().normalize().resolve(data));
            boolean pairStage = jobKind == JobKind.TEXT_ALIGN || jobKind == JobKind.CROSS_MODAL;
            Path from = pairStage ? (jobKind == JobKind.TEXT_ALIGN ? layout.textPairs() : layout.captionImagePairs())
                    : trainQueries.isEmpty() ? layout.unionTrainQueries() : layout.root().resolve(trainQueries);
            String name = "overfit/" + jobKind.name().toLowerCase(Locale.ROOT) + "-" + n + ".jsonl";
            OverfitBatch.write(from, layout.root().resolve(name), n);
            queries = pairStage ? "" : name;
            pairs = pairStage ? name : "";
        }
        return new JobSpec(jobKind, new JobSpec.Data(data, queries, trainPool, "", pairs, hardNegatives, teacher, overfitBatch || noValidation, "", upsample), init, preset,
                jobKind == JobKind.RERANKER, out, Hyper.resolve(jobKind, preset, o), model,
                new JobSpec.Mining(topN, k, threshold, localPool, positiveFraction, copyCosine),
                new JobSpec.Evaluation(split, !noGlobal, List.of(), "", queriesPerTask,
                        new JobSpec.Cascade(jobKind == JobKind.EVALUATE ? reranker : "", fusionWeight, cascadeRecallK, fusionSweep)),
                new JobSpec.Distill(listSize, reranker, sampleFraction, dev.umarvel.mbeir.TrainingSet.DEFAULT_SAMPLE_SEED, teacherWeight, Map.of()), seed);
    }

    /** Progress on the bar, other events as lines. */
    private record Listener(dev.umarvel.cli.Progress bar) implements JobListener {
        @Override
        public void progress(JobListener.Progress p) {
            bar.update(p.step(), p.totalSteps(), String.format("loss %.4f tau %.4f lr %.2e %.0f ex/s", p.loss(), p.temperature(),
                    p.learningRate(), p.examplesPerSecond()));
        }

        @Override
        public void checkpoint(CheckpointWritten c) {
            bar.println("checkpoint " + c.path() + " (step " + c.step() + (c.isFinal() ? ", final" : "") + ")");
        }

        @Override
        public void evaluation(EvaluationResult r) {
            bar.println(EvaluationReport.markdown(List.of(r)));
        }

        @Override
        public void log(String message) {
            bar.println(message);
        }

        @Override
        public void curve(CurvePoint p) {
            bar.println(String.format(Locale.ROOT, "curve: step %d, loss %.4f%s%s%s", p.step(), p.loss(),
                    Double.isFinite(p.chanceLoss()) ? String.format(Locale.ROOT, " (chance %.4f)", p.chanceLoss()) : "",
                    Double.isFinite(p.valRecall()) ? String.format(Locale.ROOT, ", val recall %.1f", p.valRecall()) : "",
                    Double.isFinite(p.meanPairwiseCosine()) ? String.format(Locale.ROOT, ", mean pairwise cosine %.3f",
                            p.meanPairwiseCosine()) : ""));
        }

        @Override
        public void warning(String kind, String message) {
            bar.println("WARNING (" + kind + "): " + message);
        }
    }
}
