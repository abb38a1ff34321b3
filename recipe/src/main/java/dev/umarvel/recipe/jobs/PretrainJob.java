package dev.umarvel.recipe.jobs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.model.Item;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.OfflineEngine;
import dev.umarvel.model.SequenceBatch;
import dev.umarvel.model.SequenceBuilder;
import dev.umarvel.model.loss.LanguageModelLoss;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.recipe.DataOrder;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobSpec;
import dev.umarvel.recipe.LearningCurve;
import dev.umarvel.recipe.StageModel;
import dev.umarvel.recipe.TrainingRun;
import dev.umarvel.recipe.data.ImageLoader;
import dev.umarvel.recipe.data.PairFile;
import dev.umarvel.recipe.data.Side;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Stage 0, generative pre-training: a fresh model learns to caption images and to model the
 * corpus's text (next-token loss, causal attention, every weight trained), so the recipe starts,
 * as the paper does, from a decoder-only generative MLLM.
 */
public final class PretrainJob {

    private PretrainJob() {}

    public static Path run(JobContext ctx, JobSpec spec) throws Exception {
        try (NDManager manager = OfflineEngine.pytorch().newBaseManager(); StageModel stage = StageModel.open(ctx, spec, manager)) {
            Mllm model = stage.model();
            ModelConfig config = model.config();
            MbeirLayout layout = Sources.layout(ctx, spec);
            List<Side> corpus = corpus(layout);
            if (corpus.isEmpty()) {
                throw new dev.umarvel.recipe.InvalidSpecException("data.dataset_dir: nothing to pre-train on: no "
                        + ctx.relative(layout.captionImagePairs()) + ", no " + ctx.relative(layout.textPairs()) + ", and no text in "
                        + ctx.relative(layout.unionPool(MbeirLayout.TRAIN)));
            }
            ImageLoader images = new ImageLoader(Sources.datasetRoot(ctx, spec), config.imageSize());
            SequenceBuilder builder = new SequenceBuilder(stage.tokenizer(), config);
            DataOrder order = new DataOrder(corpus.size(), spec.hyper().batchSize(), spec.seed());
            TrainingRun run = new TrainingRun(ctx, spec, model, manager, stage.tokenizerFile(), order, null);
            ctx.listener().log("PRETRAIN: " + corpus.size() + " sequences (captions with images, texts), vocabulary "
                    + stage.tokenizer().vocabSize() + ", " + run.totalSteps() + " steps");
            LearningCurve.attach(ctx, spec, null, manager, run, Double.NaN); // the loss alone: a language model has no chance level to warn at
            run.run(new TrainingRun.Step<SequenceBatch>() {
                @Override
                public SequenceBatch prepare(long step, List<Integer> indices) {
                    List<Item> items = new ArrayList<>();
                    for (int i : indices) {
                        items.add(images.candidate(corpus.get(i)));
                    }
                    return builder.generative(items);
                }

                @Override
                public NDArray loss(SequenceBatch batch, NDManager scope, ParameterStore ps) {
                    NDArray hidden = model.hidden(ps, batch.inputs(scope, ModelConfig.Attention.CAUSAL, config.imageSize()), true);
                    return LanguageModelLoss.crossEntropy(model.logits(ps, hidden, true), batch.targets(scope));
                }
            });
            return stage.finish(ctx, spec, "generative", run.totalSteps(), Map.of());
        }
    }

    /** Captioned images (stage-2 pairs, image+text candidates) and texts (stage-1 pairs, text candidates). */
    static List<Side> corpus(MbeirLayout layout) throws Exception {
        List<Side> out = new ArrayList<>();
        if (Files.exists(layout.captionImagePairs())) {
            for (PairFile.Pair p : PairFile.read(layout.captionImagePairs())) {
                out.add(new Side(p.query().text(), p.positive().imagePath()));
            }
        }
        if (Files.exists(layout.textPairs())) {
            for (PairFile.Pair p : PairFile.read(layout.textPairs())) {
                out.add(new Side(p.query().text(), null));
            }
        }
        try (Stream<MbeirCandidate> pool = dev.umarvel.mbeir.Jsonl.candidates(layout.unionPool(MbeirLayout.TRAIN))) {
            pool.filter(c -> c.txt() != null).forEach(c -> out.add(Side.of(c)));
        }
        return out;
    }
}
