package dev.umarvel.recipe;

import dev.umarvel.mbeir.TeacherFile;
import dev.umarvel.model.ModelConfig;
import java.util.List;
import java.util.Map;

/**
 * A job as the recipe runs it: what, on which data (paths relative to the store), from which
 * checkpoint, with which settings. The gRPC edge and the command line both build one of these.
 *
 * @param initCheckpoint required for every kind but PRETRAIN
 * @param preset model preset for a fresh model ("tiny", "small", "base")
 * @param outputDir where the job writes; "" means {@code jobs/<job id>}
 */
public record JobSpec(JobKind kind, Data data, String initCheckpoint, String preset, boolean initFromBase, String outputDir,
        Hyper hyper, ModelOptions model, Mining mining, Evaluation evaluation, Distill distill, long seed) {

    /** Data files; empty strings take the M-BEIR layout's defaults. */
    public record Data(String datasetDir, String trainQueries, String trainPool, String instructions, String pairs,
            String hardNegatives, String teacherScores, boolean skipValidation, String corpus, Map<String, Integer> upsample) {
        public Data {
            upsample = Map.copyOf(upsample);
        }

        public static Data of(String datasetDir) {
            return new Data(datasetDir, "", "", "", "", "", "", false, "", Map.of());
        }

        /** How many times per epoch a training query of {@code dataset} (its lower-case name) appears. */
        public int upsample(String dataset) {
            return upsample.getOrDefault(dataset, 1);
        }
    }

    /** Architecture settings for the stage; null keeps the checkpoint's (or the kind's) own. */
    public record ModelOptions(ModelConfig.Attention attention, ModelConfig.Pooling pooling, Boolean instructionMasking,
            Boolean compressionPrompt) {
        public static ModelOptions keep() {
            return new ModelOptions(null, null, null, null);
        }
    }

    /**
     * @param similarityThreshold drop candidates above this cosine (the paper's absolute rule); null: none (the released code)
     * @param localPool mine in each task's own training pool rather than the union
     * @param positiveFraction drop candidates above this fraction of the positive's score (positive-aware); 0: none
     * @param copyCosine drop candidates whose embedding is above this cosine with one of the query's positives' (a copy of a
     *     positive, however the query ranks it); 0: none
     */
    public record Mining(int topN, int k, Double similarityThreshold, boolean localPool, double positiveFraction, double copyCosine) {
        /** The positive-aware filter's default: a candidate within 5 % of the positive's score is likely another positive. */
        public static final double POSITIVE_FRACTION = 0.95;

        public static Mining defaults() {
            return new Mining(100, 5, null, false, POSITIVE_FRACTION, 0);
        }
    }

    /**
     * @param queriesPerTask the evaluator's first n queries of each task; 0 for all
     * @param cascade scored beside the retriever when it names a reranker
     */
    public record Evaluation(String split, boolean globalPool, List<String> tasks, String reportDir, int queriesPerTask,
            Cascade cascade) {
        public static Evaluation defaults() {
            return new Evaluation("test", true, List.of(), "", 0, Cascade.NONE);
        }
    }

    /**
     * EVALUATE's cascade: the retriever's top {@code recallK} rescored by the reranker and ranked by cos + fusionWeight *
     * P(Yes); and again at each weight of {@code fusionSweep}, on the same reranker scores (infinity: by P(Yes) alone).
     *
     * @param rerankerCheckpoint empty: no cascade
     */
    public record Cascade(String rerankerCheckpoint, double fusionWeight, int recallK, List<Double> fusionSweep) {
        /** The cascade's recall depth of the paper (top 50). */
        public static final int RECALL_K = 50;
        /** The released evaluation's fusion weight (u-marvel.md section 7). */
        public static final double FUSION_WEIGHT = 0.1;
        public static final Cascade NONE = of("");

        /** The paper's cascade with this reranker. */
        public static Cascade of(String rerankerCheckpoint) {
            return new Cascade(rerankerCheckpoint, FUSION_WEIGHT, RECALL_K, List.of());
        }

        public boolean enabled() {
            return !rerankerCheckpoint.isEmpty();
        }
    }

    /** Distillation settings (u-marvel.md section 8). */
    public record Distill(int listSize, String rerankerCheckpoint, double sampleFraction, long sampleSeed, double teacherWeight,
            Map<String, Double> taskTeacherWeights) {
        public static Distill defaults() {
            return of(50, "", 0.1);
        }

        /** These lists from this reranker, the default sample seed and teacher weights. */
        public static Distill of(int listSize, String rerankerCheckpoint, double sampleFraction) {
            return new Distill(listSize, rerankerCheckpoint, sampleFraction, dev.umarvel.mbeir.TrainingSet.DEFAULT_SAMPLE_SEED, TeacherFile.DEFAULT_WEIGHT, Map.of());
        }

        public double weight(String task) {
            return taskTeacherWeights.getOrDefault(task, teacherWeight);
        }
    }

    /** A spec with every optional part at its default. */
    public static JobSpec of(JobKind kind, String datasetDir, String initCheckpoint, String preset, HyperOverrides hyper, long seed) {
        return new JobSpec(kind, Data.of(datasetDir), initCheckpoint, preset, false, "", Hyper.resolve(kind, preset, hyper),
                ModelOptions.keep(), Mining.defaults(), Evaluation.defaults(), Distill.defaults(), seed);
    }
}
