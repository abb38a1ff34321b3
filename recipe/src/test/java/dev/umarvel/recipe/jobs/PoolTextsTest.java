package dev.umarvel.recipe.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import dev.umarvel.recipe.HyperOverrides;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobKind;
import dev.umarvel.recipe.JobListener;
import dev.umarvel.recipe.JobSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text stage's views are cut from training candidates only: no validation or test text becomes a training pair. */
class PoolTextsTest {

    @TempDir
    Path store;

    private static String candidate(String did, String text) {
        return "{\"txt\":\"" + text + "\",\"img_path\":null,\"modality\":\"text\",\"did\":\"" + did + "\",\"src_content\":null}\n";
    }

    @Test
    void onlyTrainingCandidatesLongEnoughToCropGiveViews() throws Exception {
        Path data = store.resolve("data");
        SynthGenerator.generate(data, SynthSize.TINY, 5, s -> {});
        MbeirLayout layout = new MbeirLayout(data);
        EvalTask task = layout.tasks(MbeirLayout.TEST).get(0);
        Files.writeString(layout.unionPool(MbeirLayout.TRAIN), candidate("0:90001", "the quokkatrain guild was founded in the hills")
                + candidate("0:90002", "a short trainzz text"), StandardOpenOption.APPEND);
        Files.writeString(layout.unionPool(MbeirLayout.TEST), candidate("0:90003", "the zyzzyvatest guild was founded in the hills"),
                StandardOpenOption.APPEND);
        Files.writeString(layout.localPool(task, MbeirLayout.TEST), candidate("0:90003", "the zyzzyvatest guild was founded in the hills"),
                StandardOpenOption.APPEND);
        Files.writeString(layout.unionPool(MbeirLayout.VAL), candidate("0:90004", "the valvetrainzx guild was founded in the hills"),
                StandardOpenOption.APPEND);
        JobSpec spec = JobSpec.of(JobKind.TEXT_ALIGN, "data", "x", "tiny", HyperOverrides.none(), 1);
        List<String> texts = Sources.poolTexts(new JobContext(store, store.resolve("out"), JobListener.SILENT, () -> false), spec);

        // as the model reads it (M-BEIR's format_string: capital first, a full stop)
        assertTrue(texts.contains("The quokkatrain guild was founded in the hills."), "a training candidate gives views");
        String all = String.join("\n", texts);
        for (String absent : List.of("trainzz", "zyzzyvatest", "valvetrainzx")) {
            assertFalse(all.contains(absent), absent + " reached the text views");
        }
        long trainingTexts;
        try (var lines = Files.lines(layout.unionPool(MbeirLayout.TRAIN))) {
            trainingTexts = lines.filter(l -> !l.contains("\"txt\":null")).count();
        }
        assertTrue(texts.size() > 0 && texts.size() <= trainingTexts, texts.size() + " of " + trainingTexts);
        assertEquals(texts.size(), texts.stream().filter(dev.umarvel.recipe.data.TextViews::croppable).count());
    }
}
