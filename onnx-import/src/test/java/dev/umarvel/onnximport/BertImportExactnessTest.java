package dev.umarvel.onnximport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.OfflineEngine;
import dev.umarvel.model.SequenceBatch;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.nn.NoGrad;
import dev.umarvel.model.text.TextTokenizer;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An imported encoder computes what the original does: our DJL forward pass of the checkpoint against the original
 * ONNX graph run by onnxruntime, on a hundred varied sentences, token state by token state. Our pass runs them in padded
 * batches of ten, so padding must be masked exactly too; onnxruntime runs each alone.
 */
class BertImportExactnessTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(PretrainedEncoder.class)
    void tokenStatesEqualTheOriginalGraphs(PretrainedEncoder encoder) throws Exception {
        byte[] graph;
        try (InputStream in = encoder.graph()) {
            graph = in.readAllBytes();
        }
        Path tokenizerJson = encoder.tokenizer(dir);
        Path ckpt = dir.resolve("imported");
        BertImport.write(new BertImport.Request(encoder.id(), OnnxWeights.read(new java.io.ByteArrayInputStream(graph), encoder.id()),
                tokenizerJson, encoder.heads(), encoder.maxTokens(), ModelConfig.small(), 1), ckpt);

        List<String> sentences = Sentences.hundred();
        List<long[]> ids = new ArrayList<>();
        try (NDManager manager = OfflineEngine.pytorch().newBaseManager();
                HuggingFaceTokenizer original = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("padding", "false",
                        "truncation", "false"))) {
            Checkpoint.Loaded loaded = Checkpoint.load(ckpt, manager);
            TextTokenizer ours = loaded.tokenizer();
            for (String s : sentences) {
                long[] expected = original.encode(s).getIds();                     // [CLS] ... [SEP], BERT's template
                long[] mine = withEnds(ours.encode(s), ours.bos, ours.eos);
                assertArrayEquals(expected, mine, "ids of \"" + s + "\"");
                ids.add(mine);
            }
            List<float[][]> states = new ArrayList<>();
            for (int from = 0; from < ids.size(); from += 10) { // ten at a time: the long sentence pads nine others
                try (NDManager batch = manager.newSubManager(); NoGrad g = NoGrad.scope()) {
                    states.addAll(java.util.Arrays.asList(ours(loaded, ids.subList(from, from + 10), batch)));
                }
            }

            double worst = 0;
            double lowestCosine = 1;
            try (OrtEnvironment env = OrtEnvironment.getEnvironment(); OrtSession session = env.createSession(graph)) {
                for (int i = 0; i < ids.size(); i++) {
                    float[][] reference = reference(env, session, ids.get(i));
                    for (int t = 0; t < reference.length; t++) {
                        for (int d = 0; d < reference[t].length; d++) {
                            worst = Math.max(worst, Math.abs(reference[t][d] - states.get(i)[t][d]));
                        }
                    }
                    lowestCosine = Math.min(lowestCosine, Sentences.cosine(mean(reference), mean(states.get(i), reference.length)));
                }
            }
            System.out.printf("%s: max |token state difference| %.2e, lowest sentence cosine %.7f over %d sentences%n",
                    encoder.id(), worst, lowestCosine, ids.size());
            assertTrue(worst <= 1e-4, encoder.id() + ": max abs difference of token states " + worst);
            assertTrue(lowestCosine >= 0.9999, encoder.id() + ": lowest mean-pooled cosine " + lowestCosine);
            assertEquals(100, ids.size());
        }
    }

    private static long[] withEnds(int[] body, int bos, int eos) {
        long[] out = new long[body.length + 2];
        out[0] = bos;
        for (int i = 0; i < body.length; i++) {
            out[i + 1] = body[i];
        }
        out[out.length - 1] = eos;
        return out;
    }

    /** Sentences in one padded batch through our model -> (B, T, D) token states. */
    private static float[][][] ours(Checkpoint.Loaded loaded, List<long[]> ids, NDManager manager) {
        int b = ids.size();
        int t = ids.stream().mapToInt(x -> x.length).max().orElseThrow();
        long[] tokens = new long[b * t];
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            long[] row = ids.get(i);
            lengths[i] = row.length;
            System.arraycopy(row, 0, tokens, i * t, row.length);
            for (int j = row.length; j < t; j++) {
                tokens[i * t + j] = loaded.tokenizer().pad;
            }
        }
        SequenceBatch batch = new SequenceBatch(b, t, tokens, lengths, new float[b * t], new long[b * t], new float[0], 0, null,
                new boolean[b], null);
        ModelConfig c = loaded.model().config();
        NDArray hidden = loaded.model().hidden(new ParameterStore(manager, false), batch.inputs(manager, c.attention(), c.imageSize()), false);
        float[] flat = hidden.toFloatArray();
        int d = c.width();
        float[][][] out = new float[b][t][d];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                System.arraycopy(flat, (i * t + j) * d, out[i][j], 0, d);
            }
        }
        return out;
    }

    /** One sentence through the original graph -> (T, D) token states. */
    private static float[][] reference(OrtEnvironment env, OrtSession session, long[] ids) throws Exception {
        long[][] input = {ids};
        long[][] mask = {new long[ids.length]};
        java.util.Arrays.fill(mask[0], 1);
        long[][] types = {new long[ids.length]};
        try (OnnxTensor i = OnnxTensor.createTensor(env, input); OnnxTensor m = OnnxTensor.createTensor(env, mask);
                OnnxTensor y = OnnxTensor.createTensor(env, types);
                OrtSession.Result r = session.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", y))) {
            return ((float[][][]) r.get(0).getValue())[0];
        }
    }

    private static float[] mean(float[][] rows) {
        return mean(rows, rows.length);
    }

    private static float[] mean(float[][] rows, int n) {
        float[] out = new float[rows[0].length];
        for (int t = 0; t < n; t++) {
            for (int d = 0; d < out.length; d++) {
                out[d] += rows[t][d] / n;
            }
        }
        return out;
    }
}
