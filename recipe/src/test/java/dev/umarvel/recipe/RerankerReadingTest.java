package dev.umarvel.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.OfflineEngine;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.text.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reranker's attention follows its backbone (causal on our own stack, bidirectional on an imported BERT: a
 * cross-encoder), recorded in the checkpoint that serves it; its loss is taken between the two answers (~ln 2 before
 * training) on either, or over the whole vocabulary (~ln V, the paper's) when the spec asks for it.
 */
class RerankerReadingTest {

    @TempDir static Path store;
    static String ours;

    @BeforeAll
    static void data() throws Exception {
        SynthGenerator.generate(store.resolve("data/tiny"), SynthSize.TINY, 5, s -> {});
        ours = run("jobs/pretrain", JobSpec.of(JobKind.PRETRAIN, "data/tiny", "", "tiny", HyperOverrides.none().maxSteps(1L), 3),
                new ArrayList<>());
    }

    @Test
    void onOurStackTheRerankerReadsCausallyBetweenTheTwoAnswers() throws Exception {
        List<Double> losses = new ArrayList<>();
        String reranker = run("jobs/rr-ours", reranker(ours, HyperOverrides.none()), losses);
        assertTrue(Math.abs(losses.get(0) - Math.log(2)) < 0.2, "first loss " + losses.get(0) + " is between two answers");
        assertEquals(ModelConfig.Attention.CAUSAL, Checkpoint.readConfig(store.resolve(reranker)).attention());
    }

    @Test
    void thePapersLossIsOverTheWholeVocabulary() throws Exception {
        List<Double> losses = new ArrayList<>();
        run("jobs/rr-vocabulary", reranker(ours, HyperOverrides.none().rerankerLoss(Hyper.RerankerLoss.VOCABULARY)), losses);
        int vocab = Checkpoint.readConfig(store.resolve(ours)).vocabSize();
        assertTrue(losses.get(0) > 0.5 * Math.log(vocab), "first loss " + losses.get(0) + " is over the vocabulary of " + vocab);
    }

    @Test
    void onAnImportedBertTheRerankerIsACrossEncoder() throws Exception {
        String bert = bertBackbone();
        List<Double> losses = new ArrayList<>();
        String reranker = run("jobs/rr-bert", reranker(bert, HyperOverrides.none()), losses);
        assertTrue(Math.abs(losses.get(0) - Math.log(2)) < 0.2, "first loss " + losses.get(0) + " is between two answers");
        assertEquals(ModelConfig.Attention.BIDIRECTIONAL, Checkpoint.readConfig(store.resolve(reranker)).attention());
    }

    /** A freshly initialised BERT-layout model over the pre-trained one's tokenizer, as an import would write it. */
    private static String bertBackbone() throws Exception {
        Path dir = store.resolve("models/bert");
        Path tokenizer = store.resolve(ours).resolve(Checkpoint.TOKENIZER);
        try (NDManager manager = OfflineEngine.pytorch().newBaseManager(); TextTokenizer t = TextTokenizer.load(tokenizer)) {
            Engine.getInstance().setRandomSeed(7);
            Mllm model = new Mllm(ModelConfig.tiny().withVocabSize(t.vocabSize()).withLayout(ModelConfig.Layout.BERT));
            model.initialize(manager);
            Checkpoint.save(dir, model, tokenizer, "embedder", "IMPORT", "", 0, null, Map.of(), Map.of());
        }
        return "models/bert";
    }

    private static JobSpec reranker(String init, HyperOverrides hyper) {
        return JobSpec.of(JobKind.RERANKER, "data/tiny", init, "tiny", hyper.maxSteps(1L).loraRank(4), 3);
    }

    private static String run(String out, JobSpec spec, List<Double> losses) throws Exception {
        Path result = Jobs.run(new JobContext(store, store.resolve(out), new JobListener() {
            @Override
            public void progress(Progress p) {
                losses.add(p.loss());
            }
        }, () -> false), spec);
        return store.relativize(result).toString();
    }
}
