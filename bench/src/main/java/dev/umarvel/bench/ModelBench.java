package dev.umarvel.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.OfflineEngine;
import dev.umarvel.model.SequenceBatch;
import dev.umarvel.model.SequenceBuilder;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.loss.ContrastiveLoss;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.nn.NoGrad;
import dev.umarvel.model.text.TextTokenizer;
import dev.umarvel.model.text.VocabularyBuilder;
import dev.umarvel.model.train.AdamW;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A model's inference throughput and training step time (the {@code small} preset, or any checkpoint with
 * {@code --checkpoint DIR}), with the achieved GFLOP/s as a fraction of this machine's dense matmul GFLOP/s measured in the
 * same run.
 */
final class ModelBench {

    private static final String[] WORDS = ("red green blue yellow purple orange white black circle square triangle "
            + "star ring cross heart moon small large left right top bottom above below next to the a an of with "
            + "striped dotted plain shiny two three four scene picture shows near far").split(" ");

    private ModelBench() {}

    static void run(String[] args) throws Exception {
        BenchArgs options = new BenchArgs(args);
        boolean quick = options.has("--quick");
        Path checkpoint = options.has("--checkpoint") ? Path.of(options.text("--checkpoint", null)) : null;
        int runs = quick ? 3 : 10;
        Engine engine = OfflineEngine.pytorch();
        try (NDManager manager = engine.newBaseManager()) {
            engine.setRandomSeed(0);
            if (checkpoint == null) {
                Path tmp = Files.createTempDirectory("umarvel-bench");
                VocabularyBuilder vocab = new VocabularyBuilder();
                for (String w : WORDS) {
                    vocab.add(w);
                }
                vocab.add("find the image that matches this description retrieve");
                VocabularyBuilder.write(vocab.vocabulary(10_000, 1), tmp.resolve("tokenizer.json"));
                try (TextTokenizer tokenizer = TextTokenizer.load(tmp.resolve("tokenizer.json"))) {
                    ModelConfig config = ModelConfig.small().withVocabSize(tokenizer.vocabSize());
                    Mllm model = new Mllm(config);
                    model.initialize(manager);
                    measure(model, tokenizer, manager, "model", "small", runs);
                }
            } else {
                // any checkpoint, e.g. an imported encoder (umarvel model import all-minilm-l6-v2 --out DIR)
                Checkpoint.Loaded loaded = Checkpoint.load(checkpoint, manager);
                try (TextTokenizer tokenizer = loaded.tokenizer()) {
                    measure(loaded.model(), tokenizer, manager, "model-" + checkpoint.getFileName(),
                            checkpoint.getFileName() + " (" + loaded.manifest().version() + ")", runs);
                }
            }
        }
    }

    /** {@code reportName}: the small preset's report is "model", a checkpoint's "model-<directory>", beside it. */
    private static void measure(Mllm model, TextTokenizer tokenizer, NDManager manager, String reportName, String name, int runs)
            throws Exception {
        ModelConfig config = model.config();
        Report report = new Report(reportName).context("model", name + " (width " + config.width() + ", "
                + config.layers() + " layers, " + config.imageTokens() + " image tokens, " + config.layout() + ")")
                .context("threads", Runtime.getRuntime().availableProcessors() + " cores, PyTorch " + OfflineEngine.pytorch().getVersion())
                .context("runs", runs + " timed runs per figure, median");

        double peak = matmulGflops(manager, 1024, 1024, 1024, runs);
        report.row("dense matmul 1024x1024x1024", peak, "GFLOP/s", "baseline, same run");
        double shaped = matmulGflops(manager, 64 * 40, config.width(), config.mlpWidth(), runs);
        report.row("dense matmul 2560x" + config.width() + "x" + config.mlpWidth() + " (the model's feed-forward shape)", shaped,
                "GFLOP/s", "baseline, same run");

        inference(report, model, tokenizer, manager, config, peak, runs);
        training(report, model, tokenizer, manager, config, peak, runs);
        report.publish(Path.of(System.getProperty("umarvel.bench.out", "target/bench")));
    }

    private static double matmulGflops(NDManager manager, long m, long k, long n, int runs) throws Exception {
        try (NDManager scope = manager.newSubManager(); NoGrad g = NoGrad.scope()) {
            NDArray a = scope.randomUniform(-1, 1, new Shape(m, k));
            NDArray b = scope.randomUniform(-1, 1, new Shape(k, n));
            double seconds = Timing.median(3, runs, () -> a.matMul(b).close());
            return 2.0 * m * k * n / seconds / 1e9;
        }
    }

    private static List<Item> items(int n, boolean queries, int imageSize, long seed) {
        Random random = new Random(seed);
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 12; w++) {
                text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
            }
            float[] image = new float[3 * imageSize * imageSize];
            for (int p = 0; p < image.length; p++) {
                image[p] = random.nextFloat() * 2 - 1;
            }
            out.add(queries ? Item.query("find the image that matches this description", text.toString().trim(), image)
                    : Item.candidate(text.toString().trim(), image));
        }
        return out;
    }

    private static void inference(Report report, Mllm model, TextTokenizer tokenizer, NDManager manager, ModelConfig c,
            double peak, int runs) throws Exception {
        Inference inference = new Inference(model, tokenizer, manager);
        SequenceBuilder builder = new SequenceBuilder(tokenizer, c);
        for (int batch : new int[] {1, 64}) {
            List<Item> items = items(batch, true, c.imageSize(), batch);
            SequenceBatch laid = builder.embedding(items, true);
            double layout = Timing.median(2, runs, () -> builder.embedding(items, true));
            double tensors = Timing.median(2, runs, () -> {
                try (NDManager scope = manager.newSubManager()) {
                    laid.inputs(scope, c.attention(), c.imageSize());
                    laid.readout(scope);
                }
            });
            double modelSeconds = Timing.medianReported(2, runs, () -> {
                try (NDManager scope = manager.newSubManager(); NoGrad g = NoGrad.scope()) {
                    NDList in = laid.inputs(scope, c.attention(), c.imageSize());
                    NDArray readout = laid.readout(scope);
                    long start = System.nanoTime();
                    model.embed(new ParameterStore(scope, false), in, readout, false).toFloatArray();
                    return (System.nanoTime() - start) / 1e9;
                }
            });
            double total = Timing.median(2, runs, () -> inference.embed(items, true));
            double flops = ModelFlops.vision(c, batch) + ModelFlops.language(c, batch, laid.time());
            String tag = "inference batch " + batch;
            report.row(tag + ": sequences/s", batch / total, "seq/s", "query = instruction + image + 12 words, "
                    + laid.time() + " positions");
            report.row(tag + ": latency", total * 1e3, "ms", "embed() end to end");
            report.row(tag + ": achieved (forward only)", flops / modelSeconds / 1e9, "GFLOP/s",
                    String.format("%.1f%% of the forward FLOPs are the vision tower",
                            100 * ModelFlops.vision(c, batch) / flops));
            report.row(tag + ": achieved / dense matmul (forward only)", flops / modelSeconds / 1e9 / peak, "ratio", "target >= 0.5 at batch 64");
            report.row(tag + ": achieved / dense matmul (end to end)", flops / total / 1e9 / peak, "ratio", "includes host layout and copies");
            // each part is its own median, so the parts need not add up exactly to the end-to-end median
            report.row(tag + ": host layout", layout * 1e3, "ms", "tokenising, layout, pool weights");
            report.row(tag + ": input tensors", tensors * 1e3, "ms", "ids, attention bias, pixels to native memory");
            report.row(tag + ": model", modelSeconds * 1e3, "ms", "forward, pool, normalise, read back");
        }
    }

    private static void training(Report report, Mllm model, TextTokenizer tokenizer, NDManager manager, ModelConfig c,
            double peak, int runs) throws Exception {
        // Stage-3-like: LoRA on the language model, vision tower and projector frozen, tau learnable.
        model.attachLora(manager, 64, 128, 0.05f, 1);
        model.setTrainable(Mllm.Part.VISION, false);
        model.setTrainable(Mllm.Part.PROJECTOR, false);
        model.setTrainable(Mllm.Part.LANGUAGE, true);
        model.setTrainable(Mllm.Part.TEMPERATURE, true);
        SequenceBuilder builder = new SequenceBuilder(tokenizer, c);
        AdamW optimizer = new AdamW(0f, 1f);
        int pairs = 64;
        List<Item> queries = items(pairs, true, c.imageSize(), 7);
        List<Item> candidates = items(pairs, false, c.imageSize(), 8);
        long[] time = new long[2];
        double step = Timing.median(2, runs, () -> {
            SequenceBatch q = builder.embedding(queries, true);
            SequenceBatch k = builder.embedding(candidates, true);
            time[0] = q.time();
            time[1] = k.time();
            try (NDManager scope = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(scope, false);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray qe = model.embed(ps, q.inputs(scope, c.attention(), c.imageSize()), q.readout(scope), true);
                    NDArray ke = model.embed(ps, k.inputs(scope, c.attention(), c.imageSize()), k.readout(scope), true);
                    gc.backward(ContrastiveLoss.queryToCandidate(qe, ke, model.temperature().value(ps, qe, true)));
                }
                optimizer.step(model.trainableParameters(), 1e-4f);
            }
        });
        // forward + backward of the language model ~ 3x its forward; the frozen vision tower runs forward only
        double flops = 3 * (ModelFlops.language(c, pairs, time[0]) + ModelFlops.language(c, pairs, time[1]))
                + ModelFlops.vision(c, 2L * pairs);
        report.row("training step, 64 pairs (128 sequences), LoRA r64", step, "s/step", "InfoNCE + backward + AdamW");
        report.row("training: examples/s", pairs / step, "pairs/s", "");
        report.row("training: achieved / dense matmul", flops / step / 1e9 / peak, "ratio", "approximate FLOPs (3x forward)");
    }
}
