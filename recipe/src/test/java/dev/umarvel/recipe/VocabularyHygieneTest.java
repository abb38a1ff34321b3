package dev.umarvel.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No validation or test text reaches the vocabulary a model is pre-trained with: not a word, not a piece. */
class VocabularyHygieneTest {

    @TempDir
    Path store;

    @Test
    void textOnlyTheEvaluationSplitsHoldChangesNothing() throws Exception {
        Path data = store.resolve("data");
        SynthGenerator.generate(data, SynthSize.TINY, 5, s -> {});
        MbeirLayout layout = new MbeirLayout(data);
        EvalTask task = layout.tasks(MbeirLayout.TEST).get(0);
        JobSpec spec = JobSpec.of(JobKind.PRETRAIN, "data", "", "tiny", HyperOverrides.none(), 1);
        JobContext ctx = new JobContext(store, store.resolve("out"), JobListener.SILENT, () -> false);
        // a word planted in training queries often enough to become a piece of its own
        append(layout.unionTrainQueries(), 40, "{\"qid\":\"0:997\",\"query_txt\":\"a trainwordzq ring\",\"query_img_path\":null,"
                + "\"query_modality\":\"text\",\"query_src_content\":null,\"pos_cand_list\":[\"0:1\"],\"neg_cand_list\":[],\"task_id\":0}");
        List<String> before = StageModel.vocabulary(ctx, spec);
        assertTrue(before.contains("trainwordzq"), "a frequent training word is one token");

        // words planted as often in a test query, a test candidate and a validation query
        append(layout.queries(MbeirLayout.TEST, task), 40, "{\"qid\":\"0:999\",\"query_txt\":\"a zyzzyvaxq star\","
                + "\"query_img_path\":null,\"query_modality\":\"text\",\"query_src_content\":null,\"pos_cand_list\":[\"0:1\"],"
                + "\"neg_cand_list\":[],\"task_id\":0}");
        String candidate = "{\"txt\":\"a quokkaplum circle\",\"img_path\":null,\"modality\":\"text\",\"did\":\"0:9999\",\"src_content\":null}";
        append(layout.unionPool(MbeirLayout.TEST), 40, candidate);
        append(layout.localPool(task, MbeirLayout.TEST), 40, candidate);
        append(layout.unionValQueries(), 40, "{\"qid\":\"0:998\",\"query_txt\":\"a valvetrainzx square\",\"query_img_path\":null,"
                + "\"query_modality\":\"text\",\"query_src_content\":null,\"pos_cand_list\":[\"0:1\"],\"neg_cand_list\":[],\"task_id\":0}");
        List<String> after = StageModel.vocabulary(ctx, spec);
        for (String evaluationOnly : List.of("zyzzyvaxq", "quokkaplum", "valvetrainzx")) {
            assertFalse(after.contains(evaluationOnly), evaluationOnly + " reached the vocabulary");
        }
        assertEquals(before, after, "evaluation text changed the vocabulary's pieces");
    }

    private static void append(Path file, int times, String line) throws Exception {
        Files.writeString(file, (line + "\n").repeat(times), StandardOpenOption.APPEND);
    }
}
