package dev.umarvel.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.umarvel.model.ModelConfig.Attention;
import dev.umarvel.model.loss.ContrastiveLoss;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.text.TextTokenizer;
import dev.umarvel.model.train.AdamW;
import dev.umarvel.model.train.LearningRateSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny model learns a toy text->image pairing with InfoNCE: a finite, falling loss over a few
 * hundred steps (the guard against the NaN-gradient gotcha of toolchain.md) and a recall the
 * untrained model does not reach.
 */
class TrainingTest {

    @TempDir Path dir;

    @Test
    void tinyLearnsAToyPairingTask() throws Exception {
        try (TextTokenizer tokenizer = Fixtures.tokenizer(dir); NDManager manager = OfflineEngine.pytorch().newBaseManager()) {
            Mllm model = Fixtures.tiny(manager, tokenizer, 42, Attention.BIDIRECTIONAL);
            Inference inference = new Inference(model, tokenizer, manager);
            int size = model.config().imageSize();
            List<Item> queries = new ArrayList<>();
            List<Item> candidates = new ArrayList<>();
            int n = 0;
            for (String colour : Fixtures.COLOURS) {
                for (String shape : Fixtures.SHAPES.subList(0, 6)) {
                    queries.add(Item.query("find the matching item", "a " + colour + " " + shape, null));
                    candidates.add(Item.candidate("", Fixtures.image(size, 1000 + n++))); // an arbitrary picture per pair
                }
            }
            double untrained = recallAt1(inference, queries, candidates);

            int steps = 300;
            int batch = 16;
            AdamW optimizer = new AdamW(0f, 1f);
            LearningRateSchedule schedule = new LearningRateSchedule(3e-3, steps, 0.03);
            SequenceBuilder builder = new SequenceBuilder(tokenizer, model.config());
            Random random = new Random(42);
            List<Integer> order = new ArrayList<>();
            List<Float> losses = new ArrayList<>();
            for (int step = 0; step < steps; step++) {
                if (order.size() < batch) {
                    List<Integer> epoch = new ArrayList<>();
                    for (int i = 0; i < queries.size(); i++) {
                        epoch.add(i);
                    }
                    Collections.shuffle(epoch, random);
                    order.addAll(epoch);
                }
                List<Integer> ids = new ArrayList<>(order.subList(0, batch));
                order.subList(0, batch).clear();
                SequenceBatch q = builder.embedding(ids.stream().map(queries::get).toList(), true);
                SequenceBatch c = builder.embedding(ids.stream().map(candidates::get).toList(), true);
                try (NDManager scope = manager.newSubManager()) {
                    ParameterStore ps = new ParameterStore(scope, false);
                    NDArray loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray qe = model.embed(ps, q.inputs(scope, Attention.BIDIRECTIONAL, size), q.readout(scope), true);
                        NDArray ce = model.embed(ps, c.inputs(scope, Attention.BIDIRECTIONAL, size), c.readout(scope), true);
                        loss = ContrastiveLoss.queryToCandidate(qe, ce, model.temperature().value(ps, qe, true));
                        gc.backward(loss);
                    }
                    losses.add(loss.getFloat());
                    optimizer.step(model.trainableParameters(), schedule.at(step));
                }
            }
            for (int i = 0; i < losses.size(); i++) {
                assertTrue(Float.isFinite(losses.get(i)), "loss at step " + i + " is " + losses.get(i));
            }
            double first = losses.subList(0, 20).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            double last = losses.subList(steps - 20, steps).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            assertTrue(last < 0.5 * first, "loss fell from " + first + " to " + last);

            double trained = recallAt1(inference, queries, candidates);
            System.out.printf("tiny toy pairing, %d steps: loss %.3f -> %.3f, recall@1 %.3f -> %.3f, tau %.4f%n",
                    steps, first, last, untrained, trained, model.temperature().current());
            assertTrue(untrained < 0.2, "untrained recall@1 " + untrained);
            assertTrue(trained > 0.8, "trained recall@1 " + trained + " (untrained " + untrained + ")");
        }
    }

    private static double recallAt1(Inference inference, List<Item> queries, List<Item> candidates) throws Exception {
        float[][] q = inference.embed(queries, true).vectors();
        float[][] c = inference.embed(candidates, true).vectors();
        int hits = 0;
        for (int i = 0; i < q.length; i++) {
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c.length; j++) {
                double s = 0;
                for (int k = 0; k < q[i].length; k++) {
                    s += q[i][k] * c[j][k];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = j;
                }
            }
            hits += best == i ? 1 : 0;
        }
        return (double) hits / q.length;
    }
}
