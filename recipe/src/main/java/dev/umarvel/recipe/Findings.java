package dev.umarvel.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.Json;
import dev.umarvel.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static dev.umarvel.recipe.FindingVariants.keep;
import static dev.umarvel.recipe.FindingVariants.hyper;
import static dev.umarvel.recipe.FindingVariants.model;
import static dev.umarvel.recipe.FindingVariants.data;
import static dev.umarvel.recipe.FindingVariants.distill;
import static dev.umarvel.recipe.FindingVariants.mining;
import static dev.umarvel.recipe.FindingVariants.withInitFromBase;
import static dev.umarvel.recipe.FindingVariants.withTau;
import static dev.umarvel.recipe.FindingVariants.withBatch;
import static dev.umarvel.recipe.FindingVariants.withLr;
import static dev.umarvel.recipe.FindingVariants.withHardOnly;

/**
 * Reproduces the paper's six findings on one dataset: every variant is a short chain of jobs whose
 * outputs are cached in the store (a re-run skips what exists, so the protocol can span sessions),
 * evaluated on the test split, local and global pools; the table says whether each comparison
 * points the way the paper's does.
 */
public final class Findings {

    /** Training budget: the steps of each stage, and the candidates of a distillation list. */
    public record Budget(StepPlan steps, int distillList) {
        /**
         * The recipe's own steps for an instruction stage of {@code s} ({@link StepPlan}, what the quickstart runs), so that
         * every variant is compared on the model that learns, not on a shortened one; lists of 8.
         */
        public static Budget of(String preset, long s) {
            return new Budget(StepPlan.of(preset, s), 8);
        }
    }

    /**
     * One evaluated variant: mean-of-tasks recall (percent) on local and global pools, and the standard
     * error of each mean from the queries' binomial noise (what a different draw of test queries would move it by).
     */
    public record Row(String finding, String variant, long seed, double local, double global, double localError, double globalError) {
        public Row(String finding, String variant, long seed, double local, double global) {
            this(finding, variant, seed, local, global, Double.NaN, Double.NaN);
        }

        Row as(String otherFinding, String otherVariant) {
            return new Row(otherFinding, otherVariant, seed, local, global, localError, globalError);
        }
    }

    /** Standard error (percent) of an evaluation's mean-of-tasks recall: sqrt(sum p(1-p)/n) / tasks. */
    static double standardError(JsonNode evaluation, String scope) {
        double variance = 0;
        int tasks = 0;
        for (JsonNode t : evaluation.get("tasks")) {
            if (!t.has(scope) || t.get(scope).isNull()) {
                return Double.NaN;
            }
            double p = t.get(scope).asDouble() / 100;
            variance += p * (1 - p) / Math.max(1, t.get("queries").asInt());
            tasks++;
        }
        return tasks == 0 ? Double.NaN : 100 * Math.sqrt(variance) / tasks;
    }

    /** Where one job's time went (training jobs; the rest have only a wall time). */
    public record Timing(String job, double wallSeconds, double modelSeconds, double dataWaitSeconds, double optimizerSeconds,
            double checkpointSeconds) {}

    /** The jobs of the baseline recipe (seed {@code s}): their wall times add up to the full recipe. */
    static List<String> recipeChain(long seed) {
        String tag = "-seed" + seed;
        return List.of("pretrain", "s1-text", "s2-cross", "s3" + tag, "f5-mine-filtered" + tag, "f5-filtered" + tag, "f6-reranker" + tag,
                "f6-distill" + tag);
    }

    private static final String TIMING = "wall_time.json";

    /**
     * Candidates the findings' cascade reranks per query: 20 rather than the paper's 50, whose 400k
     * reranked pairs (local and global pools of 4000 test queries on small) would dominate a seed's
     * time on 2 cores.
     */
    static final int CASCADE_RECALL_K = 20;

    static final String BASELINE = "stages 1+2+3, bidirectional + mean, instruction masked, learnable tau";
    static final String BIDIRECTIONAL_MEAN = "bidirectional + mean (the baseline)";
    static final String MASKED = "instruction masking on (the baseline)";
    static final String PROGRESSIVE = "stages 1+2+3 (the baseline)";
    static final String LEARNABLE_TAU = "learnable tau (the baseline)";

    /** A comparison the paper makes: {@code better} should beat {@code worse}. */
    public record Claim(String finding, String better, String worse, String paper) {}

    static final List<Claim> CLAIMS = List.of(
            new Claim("1", BIDIRECTIONAL_MEAN, "causal + last token", "bidirectional attention + mean pooling beats causal + last token"),
            new Claim("1", "causal + last token + compression prompt", "causal + last token", "the compression prompt helps last-token pooling"),
            new Claim("1", BIDIRECTIONAL_MEAN, "bidirectional + mean + compression prompt", "with mean pooling the prompt is best removed"),
            new Claim("2", MASKED, "instruction masking off", "masking the instruction out of the pool helps a little"),
            new Claim("3", PROGRESSIVE, "stages 2+3", "stage 1 (text) adds to 2+3"),
            new Claim("3", "stages 2+3", "stage 3 only", "stage 2 (cross-modal) adds to stage 3"),
            new Claim("4", LEARNABLE_TAU, "fixed tau", "a learnable temperature beats a fixed one"),
            new Claim("4", "2x batch, lr scaling sqrt", "2x batch, lr scaling none", "a larger batch needs a larger learning rate"),
            new Claim("5", "filtered hard negatives + in-batch", "unfiltered hard negatives + in-batch", "filtering false negatives helps"),
            new Claim("5", "filtered hard negatives + in-batch", "no hard negatives (more in-batch training)", "filtered hard negatives help"),
            new Claim("5", "no hard negatives (more in-batch training)", "hard negatives only, no in-batch", "hard negatives alone fail"),
            new Claim("6", "distilled single model", "continue-hard control (same lists as hard negatives)",
                    "distillation is more than extra hard negatives"),
            new Claim("6", "distilled single model", "before distillation (filtered hard negatives)", "distillation improves the embedder"));

    private final Path store;
    private final String data;
    private final String preset;
    private final Budget budget;
    private final Consumer<String> progress;
    private final String root;
    private final Map<String, Timing> timings = new LinkedHashMap<>();
    private boolean reportOnly;

    public Findings(Path store, String data, String preset, Budget budget, String root, Consumer<String> progress) {
        this.store = store;
        this.data = data;
        this.preset = preset;
        this.budget = budget;
        this.root = root;
        this.progress = progress;
    }

    /** Report what the store holds without running anything: variants not run yet are left out of the tables. */
    public Findings reportOnly() {
        this.reportOnly = true;
        return this;
    }

    /** Runs (or reuses) a job; returns its output, store-relative (null in report-only mode when it has not run). */
    private String job(String name, JobKind kind, String init, long steps, long seed, UnaryOperator<JobSpec> customise) throws Exception {
        if (init == null) {
            return null; // report-only, and what it starts from has not run
        }
        String out = root + "/" + name;
        Path output = store.resolve(out);
        String result = switch (kind) {
            case MINE_HARD_NEGATIVES -> out + "/hard_negatives.jsonl";
            case EVALUATE -> out + "/report";
            default -> out + "/final";
        };
        boolean done = kind == JobKind.EVALUATE ? Files.exists(store.resolve(result).resolve("evaluation.json"))
                : Files.exists(store.resolve(result).resolve("manifest.json")) || kind == JobKind.MINE_HARD_NEGATIVES
                        && Files.exists(store.resolve(result));
        if (done) {
            progress.accept("reusing " + result);
            readTiming(name, output);
            return result;
        }
        if (reportOnly) {
            progress.accept("not run yet: " + name);
            return null;
        }
        progress.accept("running " + name);
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicReference<TrainingRun.Timings> loop = new java.util.concurrent.atomic.AtomicReference<>();
        JobListener listener = new JobListener() {
            @Override
            public void finished(TrainingRun.Timings t) {
                loop.set(t);
            }
        };
        JobSpec spec = customise.apply(JobSpec.of(kind, data, init, preset, overrides(kind, steps), seed));
        spec = new JobSpec(spec.kind(), spec.data(), spec.initCheckpoint(), spec.preset(), spec.initFromBase(), out, spec.hyper(),
                spec.model(), spec.mining(), spec.evaluation(), spec.distill(), spec.seed());
        Jobs.run(new JobContext(store, output, listener, () -> false, false), spec); // the command line's: the user's own paths
        TrainingRun.Timings t = loop.get();
        Timing timing = new Timing(name, (System.nanoTime() - start) / 1e9, t == null ? 0 : t.model(), t == null ? 0 : t.waitingForData(),
                t == null ? 0 : t.optimizer(), t == null ? 0 : t.checkpoints());
        AtomicWriter.write(output.resolve(TIMING), Json.MAPPER.writeValueAsString(timing));
        timings.put(name, timing);
        return result;
    }

    /** What every job of the findings sets: its steps, and for the hard-negative stage the recipe's negatives a query. */
    HyperOverrides overrides(JobKind kind, long steps) {
        return HyperOverrides.none().maxSteps(Math.max(1, steps))
                .checkpointEvery(Math.max(50, steps / 4)).hardNegatives(kind == JobKind.HARD_NEGATIVE ? StepPlan.HARD_NEGATIVES_PER_QUERY : null);
    }

    /**
     * Finding 5's control: stage 3 continued on in-batch negatives only, trained as the hard-negative stage it stands
     * beside is: at that stage's learning rate for the preset (the paper's 1.5e-5 would leave a from-scratch model where it
     * was) and on batches that mix the tasks (stage 3's one-task batches would teach the local pools instead: measured on
     * tiny, +3.1 local and -14.5 global against the hard negatives), so that the hard negatives are the only difference.
     */
    static UnaryOperator<JobSpec> moreInBatch(String preset) {
        double lr = Hyper.resolve(JobKind.HARD_NEGATIVE, preset, HyperOverrides.none()).learningRate();
        return hyper(o -> withLr(o, lr).taskBatches(false), JobKind.INSTRUCTION, preset);
    }

    private void readTiming(String name, Path output) throws java.io.IOException {
        if (Files.exists(output.resolve(TIMING))) {
            timings.put(name, Json.MAPPER.readValue(output.resolve(TIMING).toFile(), Timing.class));
        }
    }

    /** The time of every job this run ran or reused, by job name, in order. */
    public Map<String, Timing> timings() {
        return timings;
    }

    private Row evaluate(String finding, String variant, String checkpoint, long seed, String name) throws Exception {
        if (checkpoint == null) {
            return null;
        }
        String report = job("eval-" + name, JobKind.EVALUATE, checkpoint, 1, seed, keep());
        if (report == null) {
            return null;
        }
        JsonNode e = Json.MAPPER.readTree(store.resolve(report).resolve("evaluation.json").toFile()).get("evaluations").get(0);
        return new Row(finding, variant, seed, e.get("mean_local").asDouble(), e.path("mean_global").asDouble(Double.NaN),
                standardError(e, "local"), standardError(e, "global"));
    }

    /**
     * What every variant must beat: the untrained baselines (chance, BM25 over the texts, raw-pixel cosine over the images,
     * the best of them per task) on the variants' own queries, pools and metric (the test split, local and global pools).
     * Computed once and kept beside the runs; in report-only mode, read back (empty when never computed).
     */
    public List<Row> baselines() throws Exception {
        Path file = store.resolve(root).resolve(BASELINES);
        if (!Files.exists(file) && !reportOnly) {
            progress.accept("running the untrained baselines");
            AtomicWriter.write(file, Json.MAPPER.writeValueAsString(FindingBaselines.evaluate(store.resolve(data))));
        }
        return Files.exists(file) ? List.of(Json.MAPPER.readValue(file.toFile(), Row[].class)) : List.of();
    }

    private static final String BASELINES = "baselines.json";

    /** Which findings the seeds after the first one run. */
    public enum SeedPolicy {
        /** Every finding on every seed. */
        ALL,
        /**
         * Only the findings with a comparison that the first seed left unclear (within its noise, or
         * mixed): the "three seeds where differences are small", at a fraction of the cost.
         */
        UNCLEAR
    }

    static final List<String> FINDINGS = List.of("1", "2", "3", "4", "5", "6");

    /** Runs the findings for every seed (the later seeds per {@code policy}) and returns the rows. */
    public List<Row> run(List<Long> seeds, Double threshold, SeedPolicy policy) throws Exception {
        List<Row> rows = new ArrayList<>();
        long base = seeds.get(0);
        String pre = job("pretrain", JobKind.PRETRAIN, "", budget.steps().pretrain(), base, keep());
        String s1 = job("s1-text", JobKind.TEXT_ALIGN, pre, budget.steps().text(), base, keep());
        String s2 = job("s2-cross", JobKind.CROSS_MODAL, s1, budget.steps().crossModal(), base, keep());
        String s2only = job("s2-from-pretrain", JobKind.CROSS_MODAL, pre, budget.steps().crossModal(), base, keep());
        Set<String> chosen = new LinkedHashSet<>(FINDINGS);
        for (long seed : seeds) {
            if (seeds.size() > 1 && seed == seeds.get(1) && policy == SeedPolicy.UNCLEAR) { // decided once, on the first seed alone
                chosen = unclear(rows);
                progress.accept("seeds after " + base + ": findings " + String.join(", ", chosen) + " (unclear on seed " + base + ")");
            }
            runSeed(seed, threshold, chosen, new Stages(pre, s2, s2only), rows);
        }
        return rows;
    }

    /** The findings with a comparison that is within its noise or mixed on the rows so far. */
    static Set<String> unclear(List<Row> rows) {
        Set<String> out = new LinkedHashSet<>();
        for (FindingsReport.Direction d : FindingsReport.directions(rows)) {
            if (d.verdict().equals("within noise") || d.verdict().equals("mixed")) {
                out.add(d.claim().finding());
            }
        }
        return out;
    }

    /** The seed-independent checkpoints every seed starts from. */
    private record Stages(String pretrained, String crossModal, String crossModalOnly) {}

    private void runSeed(long seed, Double threshold, Set<String> chosen, Stages base, List<Row> rows) throws Exception {
        String tag = "-seed" + seed;
        String pre = base.pretrained();
        String s2 = base.crossModal();
        long steps = budget.steps().instruction();
        String s3 = job("s3" + tag, JobKind.INSTRUCTION, s2, steps, seed, keep());
        Row baseline = evaluate("all", BASELINE, s3, seed, "s3" + tag);
        if (baseline != null) {
            Map<String, String> asBaseline = Map.of("1", BIDIRECTIONAL_MEAN, "2", MASKED, "3", PROGRESSIVE, "4", LEARNABLE_TAU);
            chosen.stream().filter(asBaseline::containsKey).sorted().forEach(f -> add(rows, baseline.as(f, asBaseline.get(f))));
        }
        if (chosen.contains("1")) { // attention and pooling, with and without the compression prompt
            add(rows, evaluate("1", "causal + last token", job("f1-causal-last" + tag, JobKind.INSTRUCTION, s2, steps, seed,
                    model(ModelConfig.Attention.CAUSAL, ModelConfig.Pooling.LAST_TOKEN, false, false)), seed, "f1-causal-last" + tag));
            add(rows, evaluate("1", "causal + last token + compression prompt", job("f1-causal-last-prompt" + tag, JobKind.INSTRUCTION, s2,
                    steps, seed, model(ModelConfig.Attention.CAUSAL, ModelConfig.Pooling.LAST_TOKEN, false, true)), seed,
                    "f1-causal-last-prompt" + tag));
            add(rows, evaluate("1", "bidirectional + mean + compression prompt", job("f1-mean-prompt" + tag, JobKind.INSTRUCTION, s2,
                    steps, seed, model(null, null, null, true)), seed, "f1-mean-prompt" + tag));
        }
        if (chosen.contains("2")) {
            add(rows, evaluate("2", "instruction masking off", job("f2-unmasked" + tag, JobKind.INSTRUCTION, s2, steps, seed,
                    model(null, null, false, null)), seed, "f2-unmasked" + tag));
        }
        if (chosen.contains("3")) { // progressive transition
            add(rows, evaluate("3", "stage 3 only", job("f3-s3-only" + tag, JobKind.INSTRUCTION, pre, steps, seed, keep()), seed,
                    "f3-s3-only" + tag));
            add(rows, evaluate("3", "stages 2+3", job("f3-s2-s3" + tag, JobKind.INSTRUCTION, base.crossModalOnly(), steps, seed, keep()),
                    seed, "f3-s2-s3" + tag));
        }
        if (chosen.contains("4")) { // temperature and batch size
            add(rows, evaluate("4", "fixed tau", job("f4-fixed-tau" + tag, JobKind.INSTRUCTION, s2, steps, seed,
                    hyper(o -> withTau(o, false), JobKind.INSTRUCTION, preset)), seed, "f4-fixed-tau" + tag));
            int batch = Hyper.presetBatch(preset);
            for (Hyper.LrScaling scaling : List.of(Hyper.LrScaling.NONE, Hyper.LrScaling.SQRT)) {
                String name = "f4-batch2x-" + scaling.name().toLowerCase() + tag;
                add(rows, evaluate("4", "2x batch, lr scaling " + scaling.name().toLowerCase(), job(name, JobKind.INSTRUCTION, s2,
                        Math.max(1, steps / 2), seed, hyper(o -> withBatch(o, 2 * batch, batch, scaling), JobKind.INSTRUCTION, preset)),
                        seed, name));
            }
        }
        if (!chosen.contains("5") && !chosen.contains("6")) {
            return;
        }
        // 5: hard negatives (the filtered run is also where finding 6 starts)
        String filteredFile = job("f5-mine-filtered" + tag, JobKind.MINE_HARD_NEGATIVES, s3, 1, seed, s -> mining(s, true, threshold));
        long hn = budget.steps().hardNegatives();
        if (chosen.contains("5")) {
            String unfilteredFile = job("f5-mine-unfiltered" + tag, JobKind.MINE_HARD_NEGATIVES, s3, 1, seed, s -> mining(s, false, null));
            add(rows, evaluate("5", "no hard negatives (more in-batch training)", job("f5-none" + tag, JobKind.INSTRUCTION, s3, hn, seed,
                    moreInBatch(preset)), seed, "f5-none" + tag));
            add(rows, evaluate("5", "hard negatives only, no in-batch", job("f5-hard-only" + tag, JobKind.HARD_NEGATIVE, s3, hn, seed,
                    data(filteredFile, "").andThen(hyper(o -> withHardOnly(o), JobKind.HARD_NEGATIVE, preset))::apply), seed, "f5-hard-only" + tag));
            add(rows, evaluate("5", "unfiltered hard negatives + in-batch", job("f5-unfiltered" + tag, JobKind.HARD_NEGATIVE, s3, hn, seed,
                    data(unfilteredFile, "")), seed, "f5-unfiltered" + tag));
        }
        String s4 = job("f5-filtered" + tag, JobKind.HARD_NEGATIVE, s3, hn, seed, data(filteredFile, ""));
        Row filtered = evaluate("5", "filtered hard negatives + in-batch", s4, seed, "f5-filtered" + tag);
        if (chosen.contains("5")) {
            add(rows, filtered);
        }
        if (!chosen.contains("6")) {
            return;
        }
        // 6: distillation against its control, with the cascade as reference
        String reranker = job("f6-reranker" + tag, JobKind.RERANKER, pre, budget.steps().reranker(), seed,
                s -> withInitFromBase(data(filteredFile, "").apply(s)));
        String distilled = job("f6-distill" + tag, JobKind.DISTILL, s4, budget.steps().distill(), seed, s -> distill(s, reranker, budget.distillList()));
        String teacher = root + "/f6-distill" + tag + "/teacher_scores.jsonl";
        add(rows, evaluate("6", "distilled single model", distilled, seed, "f6-distill" + tag));
        add(rows, evaluate("6", "continue-hard control (same lists as hard negatives)", job("f6-continue-hard" + tag,
                JobKind.CONTINUE_HARD, s4, budget.steps().distill(), seed, s -> distill(data("", teacher).apply(s), reranker, budget.distillList())), seed,
                "f6-continue-hard" + tag));
        add(rows, cascade(s4, reranker, seed, "f6-cascade" + tag));
        add(rows, filtered == null ? null : filtered.as("6", "before distillation (filtered hard negatives)"));
    }

    private static void add(List<Row> rows, Row row) {
        if (row != null) {
            rows.add(row);
        }
    }

    private Row cascade(String retriever, String reranker, long seed, String name) throws Exception {
        if (retriever == null || reranker == null) {
            return null;
        }
        String report = job("eval-" + name, JobKind.EVALUATE, retriever, 1, seed, s -> new JobSpec(s.kind(), s.data(), s.initCheckpoint(),
                s.preset(), s.initFromBase(), s.outputDir(), s.hyper(), s.model(), s.mining(),
                new JobSpec.Evaluation("test", true, List.of(), "", 0,
                        new JobSpec.Cascade(reranker, JobSpec.Cascade.FUSION_WEIGHT, CASCADE_RECALL_K, List.of())), s.distill(), s.seed()));
        if (report == null) {
            return null;
        }
        JsonNode e = Json.MAPPER.readTree(store.resolve(report).resolve("evaluation.json").toFile()).get("evaluations").get(1);
        return new Row("6", "cascade: recall top " + CASCADE_RECALL_K + " + reranker (w = 0.1)", seed, e.get("mean_local").asDouble(),
                e.path("mean_global").asDouble(Double.NaN), standardError(e, "local"), standardError(e, "global"));
    }

}
