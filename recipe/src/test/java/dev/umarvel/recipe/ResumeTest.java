package dev.umarvel.recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job stopped mid-way and started again ends with the same weights as one that ran through. */
class ResumeTest {

    @TempDir static Path store;
    static String base;

    @BeforeAll
    static void pretrain() throws Exception {
        SynthGenerator.generate(store.resolve("data"), SynthSize.TINY, 3, s -> {});
        Jobs.run(new JobContext(store, store.resolve("base"), JobListener.SILENT, () -> false),
                JobSpec.of(JobKind.PRETRAIN, "data", "", "tiny", overrides(4, 100), 1));
        base = "base/final";
    }

    static HyperOverrides overrides(long steps, long checkpointEvery) {
        return HyperOverrides.none().maxSteps(steps).loraRank(8).checkpointEvery(checkpointEvery);
    }

    /** Stops the job once it reports progress beyond {@code stopAfter} steps. */
    static final class Stopper implements JobListener {
        final AtomicLong lastStep = new AtomicLong();
        final List<CheckpointWritten> checkpoints = new ArrayList<>();
        final List<String> logs = new ArrayList<>();

        @Override
        public void progress(Progress p) {
            lastStep.set(p.step());
        }

        @Override
        public void checkpoint(CheckpointWritten c) {
            checkpoints.add(c);
        }

        @Override
        public void evaluation(EvaluationResult r) {}

        @Override
        public void log(String message) {
            logs.add(message);
        }
    }

    private static float[] embedding(Path checkpoint) throws Exception {
        try (Inference model = Inference.load(checkpoint)) {
            return model.embed(List.of(Item.query("find the image", "a red circle on the left", null)), true).vectors()[0];
        }
    }

    @Test
    void aCancelledJobResumesToTheUninterruptedResult() throws Exception {
        JobSpec spec = JobSpec.of(JobKind.INSTRUCTION, "data", base, "tiny", overrides(10, 3), 5);
        Jobs.run(new JobContext(store, store.resolve("straight"), JobListener.SILENT, () -> false), spec);

        Stopper first = new Stopper();
        JobContext interrupted = new JobContext(store, store.resolve("resumed"), first, () -> first.lastStep.get() >= 7);
        JobCancelledException cancelled = assertThrows(JobCancelledException.class, () -> Jobs.run(interrupted, spec));
        assertTrue(cancelled.getMessage().contains("step 7"), cancelled.getMessage());
        assertEquals(List.of(3L, 6L), first.checkpoints.stream().map(JobListener.CheckpointWritten::step).toList());
        assertTrue(Files.notExists(store.resolve("resumed/final")));

        Stopper second = new Stopper();
        Jobs.run(new JobContext(store, store.resolve("resumed"), second, () -> false), spec);
        assertTrue(second.logs.stream().anyMatch(l -> l.contains("resumed from resumed/checkpoints/step-6 at step 6")), second.logs.toString());
        assertArrayEquals(embedding(store.resolve("straight/final")), embedding(store.resolve("resumed/final")), 1e-6f);
    }

    @Test
    void badSpecsNameTheirField() {
        JobContext ctx = new JobContext(store, store.resolve("bad"), JobListener.SILENT, () -> false);
        assertEquals("init_checkpoint: required for INSTRUCTION", assertThrows(InvalidSpecException.class,
                () -> Jobs.validate(ctx, JobSpec.of(JobKind.INSTRUCTION, "data", "", "tiny", HyperOverrides.none(), 1))).getMessage());
        assertTrue(assertThrows(InvalidSpecException.class, () -> Jobs.validate(ctx,
                JobSpec.of(JobKind.INSTRUCTION, "../outside", base, "tiny", HyperOverrides.none(), 1))).getMessage()
                .startsWith("data.dataset_dir: '../outside' escapes the store"));
        assertTrue(assertThrows(InvalidSpecException.class, () -> Hyper.resolve(JobKind.INSTRUCTION, "tiny",
                HyperOverrides.none().learningRate(3.0))).getMessage().contains("hyper.learning_rate: must be in (0, 1], got 3.0"));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Jobs.validate(ctx,
                JobSpec.of(JobKind.INSTRUCTION, "data", "nothing/here", "tiny", HyperOverrides.none(), 1)));
        assertTrue(assertThrows(InvalidSpecException.class, () -> Jobs.validate(ctx,
                JobSpec.of(JobKind.PRETRAIN, "data", "", "huge", HyperOverrides.none(), 1))).getMessage().startsWith("preset:"));
    }
}
