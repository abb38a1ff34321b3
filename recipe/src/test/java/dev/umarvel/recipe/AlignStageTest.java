package dev.umarvel.recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.io.TensorFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alignment stage (trainable ALIGN) moves the vision tower and projector and leaves the language model as it was. */
class AlignStageTest {

    @TempDir Path store;

    @Test
    void onlyTheVisionSideLearns() throws Exception {
        SynthGenerator.generate(store.resolve("data/tiny"), SynthSize.TINY, 5, s -> {});
        String base = run("jobs/pretrain", JobSpec.of(JobKind.PRETRAIN, "data/tiny", "", "tiny", HyperOverrides.none().maxSteps(2L), 3));
        String aligned = run("jobs/align", JobSpec.of(JobKind.CROSS_MODAL, "data/tiny", base, "tiny",
                HyperOverrides.none().maxSteps(3L).trainable(Hyper.Trainable.ALIGN), 3));
        Map<String, TensorFile.Tensor> before = TensorFile.read(store.resolve(base).resolve(Checkpoint.PARAMETERS));
        Map<String, TensorFile.Tensor> after = TensorFile.read(store.resolve(aligned).resolve(Checkpoint.PARAMETERS));
        boolean visionMoved = false;
        boolean projectorMoved = false;
        for (Map.Entry<String, TensorFile.Tensor> e : before.entrySet()) {
            float[] was = e.getValue().values();
            float[] is = after.get(e.getKey()).values();
            if (e.getKey().contains("language")) {
                assertArrayEquals(was, is, 0f, e.getKey() + " must stay as it was");
            } else if (e.getKey().contains("vision") && !e.getKey().contains("pixel")) {
                visionMoved |= !Arrays.equals(was, is);
            } else if (e.getKey().contains("projector")) {
                projectorMoved |= !Arrays.equals(was, is);
            }
        }
        assertTrue(visionMoved, "the vision tower learned");
        assertTrue(projectorMoved, "the projector learned");
        assertFalse(before.keySet().stream().noneMatch(k -> k.contains("language")), "the checkpoint has a language model");
    }

    private String run(String out, JobSpec spec) throws Exception {
        Path result = Jobs.run(new JobContext(store, store.resolve(out), new JobListener() {}, () -> false), spec);
        return store.relativize(result).toString();
    }
}
