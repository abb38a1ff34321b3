package dev.umarvel.onnximport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.e5smallv2.E5SmallV2EmbeddingModel;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.model.ModelConfig;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An imported encoder, served as our embedder serves any checkpoint ({@link Inference#embed}: our sequence layout, our
 * pooling), embeds a text as the encoder's own packaged pipeline does (langchain4j: its tokeniser, the ONNX graph,
 * mean pooling): the same weights give the same sentence vectors.
 */
class ZeroShotParityTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(PretrainedEncoder.class)
    void ourEmbeddingOfATextIsThePackagedPipelines(PretrainedEncoder encoder) throws Exception {
        Path ckpt = dir.resolve("imported");
        try (InputStream in = encoder.graph()) {
            BertImport.write(new BertImport.Request(encoder.id(), OnnxWeights.read(in, encoder.id()), encoder.tokenizer(dir),
                    encoder.heads(), encoder.maxTokens(), ModelConfig.tiny(), 1), ckpt);
        }
        EmbeddingModel packaged = encoder == PretrainedEncoder.MINILM ? new AllMiniLmL6V2EmbeddingModel() : new E5SmallV2EmbeddingModel();
        double lowest = 1;
        String worst = "";
        try (Inference inference = Inference.load(ckpt)) {
            // langchain4j cuts a text of more than 128 word pieces into windows and averages their vectors; we read up to the
            // encoder's limit (256 for MiniLM, as sentence-transformers) at once: the pipelines agree on texts in one window
            List<String> texts = Sentences.hundred().stream().filter(s -> !s.isEmpty())
                    .filter(s -> inference.tokenizer().encode(s).length <= 126).toList();
            assertTrue(texts.size() >= 98, "texts in one window: " + texts.size());
            for (int from = 0; from < texts.size(); from += 10) {
                List<String> chunk = texts.subList(from, Math.min(texts.size(), from + 10));
                float[][] ours = inference.embed(chunk.stream().map(t -> Item.candidate(t, null)).toList(), false).vectors();
                for (int i = 0; i < chunk.size(); i++) {
                    double c = Sentences.cosine(ours[i], packaged.embed(chunk.get(i)).content().vector());
                    if (c < lowest) {
                        lowest = c;
                        worst = chunk.get(i);
                    }
                }
            }
        }
        System.out.printf("%s: lowest cosine to langchain4j's embedding %.7f (\"%.60s\")%n", encoder.id(), lowest, worst);
        assertTrue(lowest >= 0.9999, encoder.id() + ": lowest cosine " + lowest);
    }
}
