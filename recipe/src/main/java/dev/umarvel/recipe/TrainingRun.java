package dev.umarvel.recipe;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umarvel.mbeir.Json;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.io.CheckpointException;
import dev.umarvel.model.io.Manifest;
import dev.umarvel.model.io.TensorFile;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.train.AdamW;
import dev.umarvel.model.train.LearningRateSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The training loop every stage shares: learning-rate schedule, AdamW, gradient clipping,
 * periodic atomic checkpoints (weights, optimizer state, step), resume from the newest one,
 * cancellation within a step, and progress reports.
 *
 * <p>Determinism: the batches of a step come from {@link DataOrder} and PyTorch's random state is
 * re-seeded from (seed, step) before each step, so an interrupted and resumed run ends with the same
 * weights as an uninterrupted one.
 */
public final class TrainingRun {

    /**
     * One step in two phases: {@code prepare} builds the host-side batch (decoding, tokenising, layout)
     * and runs on a helper thread one step ahead; {@code loss} computes the scalar loss on the model.
     */
    public interface Step<B> {
        B prepare(long step, List<Integer> examples) throws Exception;

        NDArray loss(B batch, NDManager scope, ParameterStore ps) throws Exception;
    }

    /** Where a run's wall time went, in seconds. */
    public record Timings(double model, double waitingForData, double preparingData, double optimizer, double checkpoints, double total) {
        public String summary() {
            return String.format("time: model %.1f s (%.0f%%), optimizer %.1f s (%.0f%%), waiting for data %.1f s (%.0f%%), "
                            + "checkpoints %.1f s (%.0f%%); data preparation ran beside the model for %.1f s", model, pct(model),
                    optimizer, pct(optimizer), waitingForData, pct(waitingForData), checkpoints, pct(checkpoints), preparingData);
        }

        private double pct(double part) {
            return total > 0 ? 100 * part / total : 0;
        }
    }

    private static final String STATE = "trainer_state.json";
    private static final String OPTIMIZER = "optimizer.bin";
    private static final int KEEP_CHECKPOINTS = 2;

    private final JobContext ctx;
    private final JobSpec spec;
    private final Mllm model;
    private final NDManager manager;
    private final Path tokenizerFile;
    private final String kindLabel;
    private final DataOrder order;
    private final long totalSteps;
    private final Manifest.Lora lora;

    public TrainingRun(JobContext ctx, JobSpec spec, Mllm model, NDManager manager, Path tokenizerFile, DataOrder order,
            Manifest.Lora lora) {
        this.ctx = ctx;
        this.spec = spec;
        this.model = model;
        this.manager = manager;
        this.tokenizerFile = tokenizerFile;
        this.kindLabel = spec.kind().name();
        this.order = order;
        this.totalSteps = spec.hyper().maxSteps() > 0 ? spec.hyper().maxSteps() : order.steps(spec.hyper().epochs());
        this.lora = lora;
    }

    private Timings timings = new Timings(0, 0, 0, 0, 0, 0);
    private LearningCurve curve;

    /** Records a learning-curve point whenever {@code curve} says one is due. */
    void curve(LearningCurve curve) {
        this.curve = curve;
    }

    public long totalSteps() {
        return totalSteps;
    }

    /** Where the last {@link #run}'s time went. */
    public Timings timings() {
        return timings;
    }

    /** Runs (or resumes) the loop to the end; the model holds the trained weights afterwards. */
    public <B> void run(Step<B> step) throws Exception {
        Hyper h = spec.hyper();
        AdamW optimizer = new AdamW((float) h.weightDecay(), (float) h.gradClip());
        long start = resume(optimizer);
        LearningRateSchedule schedule = new LearningRateSchedule(h.learningRate(), totalSteps, h.warmupRatio());
        int reportEvery = (int) Math.max(1, Math.min(20, totalSteps / 50));
        double lossSum = 0;
        int lossCount = 0;
        double curveLoss = 0;
        int curveSteps = 0;
        long windowStart = System.nanoTime();
        long windowSteps = 0;
        double model = 0;
        double waiting = 0;
        double optimizing = 0;
        double checkpoints = 0;
        double[] preparing = new double[1];
        long runStart = System.nanoTime();
        ExecutorService prefetch = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "batch-prefetch");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<B> next = start < totalSteps ? prefetch.submit(() -> timed(preparing, () -> step.prepare(start, order.batch(start)))) : null;
            for (long s = start; s < totalSteps; s++) {
                ctx.checkCancelled(s);
                long t0 = System.nanoTime();
                B batch = get(next);
                long following = s + 1;
                next = following < totalSteps
                        ? prefetch.submit(() -> timed(preparing, () -> step.prepare(following, order.batch(following)))) : null;
                long t1 = System.nanoTime();
                Engine.getInstance().setRandomSeed((int) (spec.seed() * 1_000_003L + s)); // dropout is a function of (seed, step)
                float lr = schedule.at(s);
                float loss;
                long t2;
                try (NDManager scope = manager.newSubManager()) {
                    ParameterStore ps = new ParameterStore(scope, false);
                    NDArray value;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        value = step.loss(batch, scope, ps);
                        gc.backward(value);
                    }
                    loss = value.getFloat();
                    if (!Float.isFinite(loss)) {
                        throw new IllegalStateException("loss is " + loss + " at step " + s + "; stopping before the weights are damaged");
                    }
                    t2 = System.nanoTime();
                    GradientReport gradients = curve != null && curve.due(s + 1) ? GradientReport.before(model().trainableParameters()) : null;
                    optimizer.step(model().trainableParameters(), lr);
                    if (gradients != null) {
                        ctx.listener().log("gradients at step " + (s + 1) + ", per parameter group:\n" + String.join("\n", gradients.after()));
                    }
                }
                long t3 = System.nanoTime();
                waiting += (t1 - t0) / 1e9;
                model += (t2 - t1) / 1e9;
                optimizing += (t3 - t2) / 1e9;
                lossSum += loss;
                lossCount++;
                curveLoss += loss;
                curveSteps++;
                windowSteps++;
                long done = s + 1;
                if (done % reportEvery == 0 || done == totalSteps) {
                    double seconds = (System.nanoTime() - windowStart) / 1e9;
                    double perSecond = windowSteps * h.batchSize() / Math.max(seconds, 1e-9);
                    ctx.listener().progress(new JobListener.Progress(done, totalSteps, order.epoch(done), lossSum / lossCount,
                            model().temperature().current(), lr, perSecond, (totalSteps - done) * seconds / windowSteps));
                    lossSum = 0;
                    lossCount = 0;
                    windowStart = System.nanoTime();
                    windowSteps = 0;
                }
                if (curve != null && curve.due(done)) {
                    curve.point(done, curveLoss / curveSteps);
                    curveLoss = 0;
                    curveSteps = 0;
                }
                if (done % h.checkpointEvery() == 0 && done < totalSteps) {
                    long c0 = System.nanoTime();
                    writePeriodic(done, optimizer);
                    checkpoints += (System.nanoTime() - c0) / 1e9;
                }
            }
        } finally {
            prefetch.shutdownNow();
            timings = new Timings(model, waiting, preparing[0], optimizing, checkpoints, (System.nanoTime() - runStart) / 1e9);
        }
        ctx.listener().log(timings.summary());
        ctx.listener().finished(timings);
    }

    private Mllm model() {
        return model;
    }

    private static <B> B timed(double[] total, java.util.concurrent.Callable<B> work) throws Exception {
        long t = System.nanoTime();
        try {
            return work.call();
        } finally {
            synchronized (total) {
                total[0] += (System.nanoTime() - t) / 1e9;
            }
        }
    }

    private static <B> B get(Future<B> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Writes {@code checkpoints/step-N} with the optimizer state and keeps the newest few. */
    private void writePeriodic(long step, AdamW optimizer) throws IOException {
        Path dir = ctx.output().resolve("checkpoints").resolve("step-" + step);
        Path tmpOpt = Files.createTempFile(ctx.output(), ".optimizer", ".bin");
        try {
            TensorFile.write(tmpOpt, optimizer.state());
            ctx.listener().phase("checkpoint-write");
            ObjectNode state = Json.MAPPER.createObjectNode();
            state.put("step", step);
            state.put("total_steps", totalSteps);
            state.put("kind", kindLabel);
            state.put("seed", spec.seed());
            Manifest m = Checkpoint.save(dir, model, tokenizerFile, "checkpoint", kindLabel, spec.initCheckpoint(), step, lora,
                    Map.of("job_kind", kindLabel), Map.of(OPTIMIZER, Files.readAllBytes(tmpOpt),
                            STATE, Json.MAPPER.writeValueAsBytes(state)));
            ctx.listener().checkpoint(new JobListener.CheckpointWritten(ctx.relative(dir), step, m.hash(), kindLabel,
                    spec.initCheckpoint(), false));
        } finally {
            Files.deleteIfExists(tmpOpt);
        }
        prune();
    }

    private void prune() throws IOException {
        List<Path> all = periodic();
        for (int i = 0; i < all.size() - KEEP_CHECKPOINTS; i++) {
            Checkpoint.deleteTree(all.get(i));
        }
    }

    /** Loads the newest intact periodic checkpoint, if any, and returns the step to continue from. */
    private long resume(AdamW optimizer) throws IOException, CheckpointException {
        List<Path> all = periodic();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path dir = all.get(i);
            try {
                Checkpoint.verify(dir);
            } catch (CheckpointException e) {
                ctx.listener().log("ignoring damaged checkpoint " + ctx.relative(dir) + ": " + e.getMessage());
                continue;
            }
            Checkpoint.loadParameters(dir, model);
            optimizer.restore(TensorFile.read(dir.resolve(OPTIMIZER)), model.trainableParameters());
            long step = Json.MAPPER.readTree(dir.resolve(STATE).toFile()).get("step").asLong();
            ctx.listener().log("resumed from " + ctx.relative(dir) + " at step " + step);
            return step;
        }
        return 0;
    }

    /** Periodic checkpoint directories, oldest first. */
    private List<Path> periodic() throws IOException {
        Path root = ctx.output().resolve("checkpoints");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(p -> p.getFileName().toString().matches("step-\\d+"))
                    .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(5)))).toList();
        }
    }
}
