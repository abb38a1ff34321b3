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
import java.util.Optional;
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

    /** One step's computation: build the batch from {@code examples}, return the scalar loss (inside the recorder). */
    public interface Step {
        NDArray loss(long step, List<Integer> examples, NDManager scope, ParameterStore ps) throws Exception;
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

    public long totalSteps() {
        return totalSteps;
    }

    /** Runs (or resumes) the loop to the end; the model holds the trained weights afterwards. */
    public void run(Step step) throws Exception {
        Hyper h = spec.hyper();
        AdamW optimizer = new AdamW((float) h.weightDecay(), (float) h.gradClip());
        long start = resume(optimizer);
        LearningRateSchedule schedule = new LearningRateSchedule(h.learningRate(), totalSteps, h.warmupRatio());
        int reportEvery = (int) Math.max(1, Math.min(20, totalSteps / 50));
        double lossSum = 0;
        int lossCount = 0;
        long windowStart = System.nanoTime();
        long windowSteps = 0;
        for (long s = start; s < totalSteps; s++) {
            ctx.checkCancelled(s);
            Engine.getInstance().setRandomSeed((int) (spec.seed() * 1_000_003L + s)); // dropout is a function of (seed, step)
            float lr = schedule.at(s);
            float loss;
            try (NDManager scope = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(scope, false);
                NDArray value;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    value = step.loss(s, order.batch(s), scope, ps);
                    gc.backward(value);
                }
                loss = value.getFloat();
                if (!Float.isFinite(loss)) {
                    throw new IllegalStateException("loss is " + loss + " at step " + s + "; stopping before the weights are damaged");
                }
                optimizer.step(model.trainableParameters(), lr);
            }
            lossSum += loss;
            lossCount++;
            windowSteps++;
            long done = s + 1;
            if (done % reportEvery == 0 || done == totalSteps) {
                double seconds = (System.nanoTime() - windowStart) / 1e9;
                double perSecond = windowSteps * h.batchSize() / Math.max(seconds, 1e-9);
                ctx.listener().progress(new JobListener.Progress(done, totalSteps, order.epoch(done), lossSum / lossCount,
                        model.temperature().current(), lr, perSecond, (totalSteps - done) * seconds / windowSteps));
                lossSum = 0;
                lossCount = 0;
                windowStart = System.nanoTime();
                windowSteps = 0;
            }
            if (done % h.checkpointEvery() == 0 && done < totalSteps) {
                writePeriodic(done, optimizer);
            }
        }
    }

    /** Writes {@code checkpoints/step-N} with the optimizer state and keeps the newest few. */
    private void writePeriodic(long step, AdamW optimizer) throws IOException {
        Path dir = ctx.output().resolve("checkpoints").resolve("step-" + step);
        Path tmpOpt = Files.createTempFile(ctx.output(), ".optimizer", ".bin");
        try {
            TensorFile.write(tmpOpt, optimizer.state());
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
            deleteTree(all.get(i));
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

    /** The newest periodic checkpoint's step, if any (for status reports). */
    public Optional<Long> lastCheckpointStep() throws IOException {
        List<Path> all = periodic();
        return all.isEmpty() ? Optional.empty()
                : Optional.of(Long.parseLong(all.get(all.size() - 1).getFileName().toString().substring(5)));
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
