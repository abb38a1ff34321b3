package dev.umarvel.cli;

import dev.umarvel.api.v1.DistillRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.api.v1.TrainerGrpc;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.DatasetValidator;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.TeacherFile;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.Evaluator;
import dev.umarvel.mbeir.eval.baseline.Baselines;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import dev.umarvel.onnximport.PretrainedEncoder;
import dev.umarvel.recipe.StepPlan;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * {@code umarvel quickstart}: the whole platform on one machine. Generates M-BEIR-synth, trains every
 * stage on trainer-svc, starts the embedder, reranker and orchestrator, imports the pools, evaluates
 * SINGLE and CASCADE, runs Distill through the orchestrator, evaluates SINGLE, CASCADE and AUTO
 * again, and writes the report; the services keep running for {@code umarvel search} unless
 * {@code --stop}. What exists is reused: a second run trains nothing unless {@code --retrain}.
 */
@Command(showDefaultValues = true, name = "quickstart", mixinStandardHelpOptions = true, description = "Train, serve, distil and evaluate the whole platform on "
        + "M-BEIR-synth; leaves the services running for `umarvel search`.")
final class QuickstartCommand implements Callable<Integer> {

    @Option(names = "--size", defaultValue = "small", description = "tiny (about 3 minutes) or small (about 50).")
    String size;

    @Option(showDefaultValue = Visibility.NEVER, names = "--backbone", defaultValue = "scratch", description = "The language model: scratch (every weight learned here, "
            + "from pre-training on), minilm (all-MiniLM-L6-v2) or e5-small (e5-small-v2), imported from the jar this build carries "
            + "and joined to a fresh vision tower by an alignment stage (default: scratch).")
    String backbone;

    @Option(showDefaultValue = Visibility.NEVER, names = "--store", defaultValue = ".", description = "Store root (default: here).")
    Path store;

    @Option(showDefaultValue = Visibility.NEVER, names = "--steps", defaultValue = "0", description = "Instruction-stage steps; the other stages scale from it "
            + "(default: 1200 for small, 400 for tiny, 120 on an imported backbone).")
    long steps;

    @Option(showDefaultValue = Visibility.NEVER, names = "--queries-per-task", defaultValue = "-1", description = "Test queries per task in the evaluations "
            + "(default: 25 for small, all for tiny).")
    int queriesPerTask;

    @Option(showDefaultValue = Visibility.NEVER, names = "--rerank-depth", defaultValue = "0", description = "Candidates CASCADE and AUTO "
            + "rerank, and the most a Distill teacher list holds (default: 50 on a from-scratch model, whose reranker computes a "
            + "query's prefix once for all its candidates; 10 on an imported encoder, whose reranker reads each pair whole as a "
            + "cross-encoder: 34 pairs a second on one thread, measured in the small quickstart).")
    int rerankDepth;

    @Option(names = "--data", description = "A dataset of your own in M-BEIR's layout instead of M-BEIR-synth (any readable directory, with "
            + "training, validation and test splits; one outside the store is mirrored under data/ by hard links, or copies where links "
            + "cannot be made). --size then picks only the model's preset. Default: M-BEIR-synth of --size, generated here.")
    Path ownData;

    @Option(names = "--retrain", description = "Train every stage again instead of reusing earlier jobs.")
    boolean retrain;

    @Option(names = "--secure", description = "Run the services with mutual TLS and bearer tokens (certificates and tokens made "
            + "under <store>/security).")
    boolean secure;

    @Option(names = "--stop", description = "Stop the services at the end instead of leaving them running.")
    boolean stop;

    @Option(names = "--out", description = "Report directory (default: reports/quickstart-<size> under the store).")
    Path out;

    static final String COLLECTION = "quickstart";

    @Override
    public Integer call() throws Exception {
        boolean tiny = size.equals("tiny");
        if (!tiny && !size.equals("small")) {
            throw new IllegalArgumentException("--size: tiny or small, got " + size);
        }
        if (rerankDepth == 1 || rerankDepth < 0 || rerankDepth > 1000) { // Distill's bound on a teacher list: 0 is the default
            throw new IllegalArgumentException("--rerank-depth: must be in 2..1000, got " + rerankDepth);
        }
        PretrainedEncoder encoder;
        try {
            encoder = backbone.equals("scratch") ? null : PretrainedEncoder.ofPreset(backbone);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--backbone: " + e.getMessage());
        }
        long start = System.nanoTime();
        Path root = store.toAbsolutePath().normalize();
        Files.createDirectories(root);
        String data = ownData == null ? "data/synth-" + size : ownDataset(root);
        // the trainer's preset: the data's size, or the imported encoder's (its learning rates and trainable set)
        String preset = encoder == null ? size : backbone;
        long s = steps > 0 ? steps : StepPlan.defaultSteps(preset);
        int perTask = queriesPerTask >= 0 ? queriesPerTask : tiny || ownData != null ? 0 : 25;
        int depth = rerankDepth > 0 ? rerankDepth : encoder != null ? 10 : 50;
        String name = size + (encoder == null ? "" : "-" + backbone) + (ownData == null ? "" : "-" + Path.of(data).getFileName());
        Path report = (out == null ? root.resolve("reports/quickstart-" + name) : out).toAbsolutePath();
        Path work = root.resolve("quickstart").resolve(ownData == null ? size : name);
        Files.createDirectories(work);
        QuickstartServices.stopEarlier(work);
        Map<String, Double> seconds = new LinkedHashMap<>();

        if (ownData == null && !Files.exists(root.resolve(data).resolve(SynthGenerator.MANIFEST))) {
            try (Progress bar = new Progress("generate " + size, 1)) {
                SynthGenerator.generate(root.resolve(data), SynthSize.parse(size), 42, m -> bar.update(0, 1, m));
            }
        }
        String imported = encoder == null ? null : ModelCommand.imported(root, encoder, size);
        seconds.put(encoder == null ? "data" : "data, import of " + encoder.id(), lap(start));

        try (QuickstartServices services = new QuickstartServices(root, work, secure ? root.resolve("security") : null)) {
            long t = System.nanoTime();
            services.startTrainer();
            String prefix = "qs-" + name + "-s" + s + (retrain ? "-" + System.currentTimeMillis() : "");
            TrainerChain chain = new TrainerChain(TrainerGrpc.newBlockingStub(services.channel(services.trainer)), prefix, data,
                    preset, 1);
            String[] models = imported != null ? chain.recipeOn(imported, s)
                    : chain.recipe(s, ownData == null ? TrainerChain.PairStages.ALL : TrainerChain.PairStages.of(new MbeirLayout(root.resolve(data))));
            double[] untrained = chain.untrained(root, imported, perTask);
            seconds.put("training (every stage)", lap(t));

            t = System.nanoTime();
            services.startModels(models[0], models[1]);
            ManagedChannel channel = services.channel(services.orchestrator);
            RetrievalGrpc.RetrievalBlockingStub retrieval = RetrievalGrpc.newBlockingStub(channel);
            retrieval.dropCollection(DropCollectionRequest.newBuilder().setName(COLLECTION).setIfExists(true).build());
            MbeirLayout layout = new MbeirLayout(root.resolve(data));
            List<EvalTask> tasks = layout.tasks(MbeirLayout.TEST);
            String address = "localhost:" + services.orchestrator.port;
            ServiceEvaluation.Settings before = new ServiceEvaluation.Settings(address, COLLECTION, root, data, MbeirLayout.TEST, tasks, true,
                    new ServiceEvaluation.Searches(List.of(SearchMode.SEARCH_MODE_SINGLE, SearchMode.SEARCH_MODE_CASCADE), depth, 4, null),
                    perTask, true, report, "before distillation", services.security());
            ServiceEvaluation.Outcome b = ServiceEvaluation.evaluate(before); // sets the collection up: the test local pools
            importValidationPools(retrieval, layout, root, data);
            importTrainingPool(retrieval, layout, root);
            seconds.put("services, import, evaluation before", lap(t));

            t = System.nanoTime();
            DistillRequest.Builder distill = DistillRequest.newBuilder().setCollection(COLLECTION).setDatasetDir(data)
                    .setSampleFraction(tiny ? 0.5 : 0.02).setRecallK(Math.min(depth, tiny ? 20 : 50)).setEvalQueriesPerTask(tiny ? 0 : 10)
                    // 8 queries x 50 candidates per step: the trainer's default 64 x 50 needs more than 22 GB on CPU
                    .setHyper(HyperParameters.newBuilder().setMaxSteps(Math.max(2, StepPlan.of(preset, s).distill())).setBatchSize(8))
                    .setTeacherWeight(TeacherFile.DEFAULT_WEIGHT).setSeed(1)
                    .setPreset(encoder != null ? preset : ""); // an imported encoder's defaults: LoRA at 1e-4
            // the run distils these two models as this request asks: a retrained stage (another spec, a new job) or another
            // request (a teacher weight, steps) starts a new run
            String run = models[0] + "\n" + models[1] + "\n" + distill.build();
            Path runFile = work.resolve("distill-run-" + prefix + "-" + Integer.toUnsignedString(run.hashCode(), 36));
            if (Files.exists(runFile)) {
                distill.setRunId(Files.readString(runFile).strip()); // its teacher scores and training are reused
            }
            DistillCommand.Summary d;
            Canary.Seen canary;
            try (Canary c = new Canary(retrieval, COLLECTION, canaryText(layout), 20)) { // searches through the swap
                d = DistillCommand.run(retrieval, distill.build(), id -> {
                    try {
                        AtomicWriter.write(runFile, id);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                c.awaitMore(5); // searches after the swap
                canary = c.seen();
            }
            seconds.put("distillation (teacher, training, re-index, swap)", lap(t));

            t = System.nanoTime();
            // the tasks whose validation queries search their test pool (MSCOCO's validation pools carry other labels)
            List<EvalTask> calibration = layout.tasks(MbeirLayout.VAL).stream()
                    .filter(task -> layout.localPool(task, MbeirLayout.VAL).equals(layout.localPool(task, MbeirLayout.TEST))).toList();
            // a user's validation split is as large as they made it: up to 50 queries a task, where 4 of M-BEIR-synth tiny's suffice;
            // small's 25 (on 10 a task the margins reranked webqa_task2 alone, where on test the cascade also won webqa_task1 and edis_task2)
            AutoMargin.Choice auto = AutoMargin.calibrate(retrieval, COLLECTION, layout, data, calibration, ownData != null ? 50 : tiny ? 4 : 25,
                    new ServiceEvaluation.Searches(List.of(), depth, 4, null), 0.5);
            System.out.println(auto.describe());
            seconds.put("AUTO's margin (validation queries)", lap(t));

            t = System.nanoTime();
            ServiceEvaluation.Outcome a = ServiceEvaluation.evaluate(new ServiceEvaluation.Settings(address, COLLECTION, root, data,
                    MbeirLayout.TEST, tasks, true, new ServiceEvaluation.Searches(List.of(SearchMode.SEARCH_MODE_SINGLE,
                            SearchMode.SEARCH_MODE_CASCADE, SearchMode.SEARCH_MODE_AUTO), depth, 4, auto),
                    perTask, false, report, "after distillation", services.security()));
            seconds.put("evaluation after", lap(t));
            channel.shutdownNow();

            t = System.nanoTime();
            List<EvaluationResult> baselines = Baselines.evaluate(layout, new Evaluator.Options(MbeirLayout.TEST, true, tasks, 42, perTask),
                    m -> {});
            LearningCurves.draw(root, chain.outputs(), report);
            seconds.put("baselines (chance, BM25, raw pixels) and curves", lap(t));
            seconds.put("total", lap(start));

            String md = QuickstartReport.write(report, new QuickstartReport.Run(b, a, d, canary, auto, untrained, baselines, seconds,
                    new QuickstartReport.Setup(size, backbone, s, perTask, ownData == null ? "" : ownData.toString(), depth, rerankDepth > 0)), stop ? "services stopped (--stop)" : services.describe(canaryText(layout)));
            System.out.println();
            System.out.println(md);
            if (stop) {
                services.close();
            } else {
                services.handOver();
                System.out.println(services.describe(canaryText(layout)));
            }
        }
        return 0;
    }

    /**
     * The user's dataset, checked before anything trains on it (every invariant `umarvel data validate` checks, and the
     * splits the quickstart needs), and made readable to the services: its store-relative directory.
     */
    private String ownDataset(Path root) throws java.io.IOException {
        DatasetValidator.Result checked = DatasetValidator.validate(ownData);
        if (!checked.valid()) {
            throw new IllegalArgumentException("--data: " + ownData + " is not a valid M-BEIR-layout dataset (umarvel data validate "
                    + ownData + " lists every problem); first: " + checked.problems().get(0));
        }
        MbeirLayout layout = new MbeirLayout(ownData);
        if (layout.tasks(MbeirLayout.VAL).isEmpty()) {
            throw new IllegalArgumentException("--data: " + ownData + " has no validation queries (query/val/): the quickstart's "
                    + "distillation and AUTO's margin are judged on them. Add a val split (docs/your-own-data.md), or train and "
                    + "evaluate with umarvel train and umarvel eval, which do without");
        }
        if (!Files.isRegularFile(layout.unionPool(MbeirLayout.TRAIN))) {
            throw new IllegalArgumentException("--data: " + ownData + " has no training pool " + ownData.relativize(
                    layout.unionPool(MbeirLayout.TRAIN)) + ": distillation's teacher lists are recalled from training candidates only");
        }
        DatasetInStore.Brought brought = DatasetInStore.bring(root, ownData);
        System.out.println(brought.describe(ownData));
        return brought.relative();
    }

    /** The searches run through the swap: M-BEIR-synth's caption, or a user dataset's first test query with text. */
    private String canaryText(MbeirLayout layout) throws java.io.IOException {
        if (ownData == null) {
            return "a red circle on the left";
        }
        for (EvalTask task : layout.tasks(MbeirLayout.TEST)) {
            try (java.util.stream.Stream<dev.umarvel.mbeir.MbeirQuery> queries = dev.umarvel.mbeir.Jsonl.queries(layout.queries(MbeirLayout.TEST,
                    task))) {
                java.util.Optional<String> text = queries.map(dev.umarvel.mbeir.MbeirQuery::queryTxt).filter(t -> t != null && !t.isBlank())
                        .findFirst();
                if (text.isPresent()) {
                    return text.get();
                }
            }
        }
        return "a picture";
    }

    /** MSCOCO's validation pools (apart from its test pools, which keep the task's label): what Distill evaluates on. */
    private static void importValidationPools(RetrievalGrpc.RetrievalBlockingStub retrieval, MbeirLayout layout, Path root, String data) {
        for (EvalTask task : layout.tasks(MbeirLayout.VAL)) {
            Path pool = layout.localPool(task, MbeirLayout.VAL);
            if (pool.equals(layout.localPool(task, MbeirLayout.TEST)) || !Files.exists(pool)) {
                continue;
            }
            retrieval.importPool(ImportPoolRequest.newBuilder().setCollection(COLLECTION).setPoolPath(root.relativize(pool).toString())
                    .addPools(task.name() + "_" + MbeirLayout.VAL).setImageRoot(data).build()).forEachRemaining(p -> {});
        }
    }

    /**
     * The dataset's training pool, labelled "train": the only candidates Distill's teacher lists are recalled from
     * (its default teacher pool), so that no test or validation candidate is ever trained on.
     */
    private static void importTrainingPool(RetrievalGrpc.RetrievalBlockingStub retrieval, MbeirLayout layout, Path root) {
        try (Progress bar = new Progress("import training pool", 1)) {
            retrieval.importPool(ImportPoolRequest.newBuilder().setCollection(COLLECTION)
                    .setPoolPath(root.relativize(layout.unionPool(MbeirLayout.TRAIN)).toString()).addPools("train")
                    .setImageRoot(root.relativize(layout.root()).toString()).build())
                    .forEachRemaining(p -> bar.update(p.getLinesRead(), Math.max(1, p.getTotalLines()), p.getUpserted() + " upserted"));
        }
    }

    private static double lap(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /** Every result in one list: before, then after. */
    static List<EvaluationResult> all(ServiceEvaluation.Outcome b, ServiceEvaluation.Outcome a) {
        List<EvaluationResult> out = new ArrayList<>(b.results());
        out.addAll(a.results());
        return out;
    }
}
