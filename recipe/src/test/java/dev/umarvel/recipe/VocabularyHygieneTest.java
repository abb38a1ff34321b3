package dev.umarvel.recipe;

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

/** No validation or test word reaches the vocabulary a model is pre-trained with. */
class VocabularyHygieneTest {

    @TempDir
    Path store;

    @Test
    void wordsOnlyTheEvaluationSplitsHoldStayUnknown() throws Exception {
        Path data = store.resolve("data");
        SynthGenerator.generate(data, SynthSize.TINY, 5, s -> {});
        MbeirLayout layout = new MbeirLayout(data);
        EvalTask task = layout.tasks(MbeirLayout.TEST).get(0);
        // a word planted in a test query, one in a test candidate, one in a validation query, one in a training query
        Files.writeString(layout.queries(MbeirLayout.TEST, task), "{\"qid\":\"0:999\",\"query_txt\":\"a zyzzyvaxq star\","
                + "\"query_img_path\":null,\"query_modality\":\"text\",\"query_src_content\":null,\"pos_cand_list\":[\"0:1\"],"
                + "\"neg_cand_list\":[],\"task_id\":0}\n", StandardOpenOption.APPEND);
        Files.writeString(layout.unionPool(MbeirLayout.TEST), "{\"txt\":\"a quokkaplum circle\",\"img_path\":null,\"modality\":\"text\","
                + "\"did\":\"0:9999\",\"src_content\":null}\n", StandardOpenOption.APPEND);
        Files.writeString(layout.localPool(task, MbeirLayout.TEST), "{\"txt\":\"a quokkaplum circle\",\"img_path\":null,"
                + "\"modality\":\"text\",\"did\":\"0:9999\",\"src_content\":null}\n", StandardOpenOption.APPEND);
        Files.writeString(layout.unionValQueries(), "{\"qid\":\"0:998\",\"query_txt\":\"a valvetrainzx square\",\"query_img_path\":null,"
                + "\"query_modality\":\"text\",\"query_src_content\":null,\"pos_cand_list\":[\"0:1\"],\"neg_cand_list\":[],\"task_id\":0}\n",
                StandardOpenOption.APPEND);
        Files.writeString(layout.unionTrainQueries(), "{\"qid\":\"0:997\",\"query_txt\":\"a trainwordzq ring\",\"query_img_path\":null,"
                + "\"query_modality\":\"text\",\"query_src_content\":null,\"pos_cand_list\":[\"0:1\"],\"neg_cand_list\":[],\"task_id\":0}\n",
                StandardOpenOption.APPEND);
        JobSpec spec = JobSpec.of(JobKind.PRETRAIN, "data", "", "tiny", HyperOverrides.none(), 1);
        List<String> vocabulary = StageModel.vocabulary(new JobContext(store, store.resolve("out"), JobListener.SILENT, () -> false), spec);
        assertTrue(vocabulary.contains("trainwordzq"), "a training word is in the vocabulary");
        for (String evaluationOnly : List.of("zyzzyvaxq", "quokkaplum", "valvetrainzx")) {
            assertFalse(vocabulary.contains(evaluationOnly), evaluationOnly + " reached the vocabulary");
        }
    }
}
