package dev.umarvel.recipe.jobs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.model.Item;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.OfflineEngine;
import dev.umarvel.model.RerankPair;
import dev.umarvel.model.SequenceBatch;
import dev.umarvel.model.SequenceBuilder;
import dev.umarvel.model.loss.AnswerLoss;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.recipe.DataOrder;
import dev.umarvel.recipe.Hyper;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobSpec;
import dev.umarvel.recipe.LearningCurve;
import dev.umarvel.recipe.StageModel;
import dev.umarvel.recipe.TrainingRun;
import dev.umarvel.recipe.data.HardNegativeFile;
import dev.umarvel.recipe.data.ImageLoader;
import dev.umarvel.recipe.data.Side;
import dev.umarvel.mbeir.TrainingSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * RERANKER (u-marvel.md section 6): a model answers "Yes" or "No" to "does the candidate meet the query?"; cross-entropy
 * on the answer only, between the two answers ({@link AnswerLoss#crossEntropyOverAnswers}, the default) or over the whole
 * vocabulary (the paper's, {@code hyper.reranker_loss}). Each query
 * gives one positive pair and one negative drawn from its mined top list (labelled positives and the
 * likely false negatives mining filtered excluded). It reads with the stage's attention: causal on our own stack (the
 * paper's), bidirectional on an imported BERT ({@code StageModel.attention}), a cross-encoder as BERT rerankers are.
 */
public final class RerankerJob {

    /** Laid-out pairs and the answer token each should give. */
    private record Pairs(SequenceBatch sequences, long[] answers) {}

    private RerankerJob() {}

    public static Path run(JobContext ctx, JobSpec spec) throws Exception {
        try (NDManager manager = OfflineEngine.pytorch().newBaseManager(); StageModel stage = StageModel.open(ctx, spec, manager)) {
            Mllm model = stage.model();
            ModelConfig config = model.config();
            TrainingSet set = Sources.trainingSet(ctx, spec);
            Map<String, HardNegativeFile.Entry> mined = spec.data().hardNegatives().isEmpty() ? Map.of()
                    : HardNegativeFile.read(Sources.hardNegatives(ctx, spec));
            List<MbeirQuery> queries = set.queries();
            List<String> allDids = new ArrayList<>(set.pool().keySet());
            allDids.sort(null);
            ImageLoader images = new ImageLoader(Sources.datasetRoot(ctx, spec), config.imageSize());
            SequenceBuilder builder = new SequenceBuilder(stage.tokenizer(), config);
            DataOrder order = new DataOrder(queries.size(), spec.hyper().batchSize(), spec.seed());
            TrainingRun run = new TrainingRun(ctx, spec, model, manager, stage.tokenizerFile(), order, stage.lora());
            int yes = stage.tokenizer().yes;
            int no = stage.tokenizer().no;
            Hyper.RerankerLoss objective = spec.hyper().rerankerLoss();
            // listwise: the positive and hardNegatives negatives a query; pointwise: one of each
            int group = objective == Hyper.RerankerLoss.LISTWISE ? 1 + spec.hyper().hardNegatives() : 2;
            ctx.listener().log("RERANKER: " + queries.size() + " queries, " + group + " pairs each, " + objective.name().toLowerCase(java.util.Locale.ROOT)
                    + " loss, " + run.totalSteps() + " steps"
                    + (mined.isEmpty() ? " (no mined lists: negatives drawn from the whole pool)" : ""));
            // chance: one of the group's pairs (pointwise, "Yes" or "No" at even odds)
            LearningCurve.attach(ctx, spec, null, manager, run, Math.log(group));
            run.run(new TrainingRun.Step<Pairs>() {
                @Override
                public Pairs prepare(long step, List<Integer> indices) throws Exception {
                    List<RerankPair> pairs = new ArrayList<>();
                    long[] answers = new long[group * indices.size()];
                    int a = 0;
                    for (int i : indices) {
                        MbeirQuery q = queries.get(i);
                        Random r = order.random(step, i);
                        Item query = images.query(set.instruction(q, r), Side.of(q));
                        pairs.add(new RerankPair(query, images.candidate(Side.of(set.positive(q, r)))));
                        answers[a++] = yes;
                        for (MbeirCandidate negative : negatives(q, mined.get(q.qid()), allDids, set, r, group - 1)) {
                            pairs.add(new RerankPair(query, images.candidate(Side.of(negative))));
                            answers[a++] = no;
                        }
                    }
                    return new Pairs(builder.rerank(pairs, true), answers);
                }

                @Override
                public NDArray loss(Pairs batch, NDManager scope, ParameterStore ps) {
                    SequenceBatch b = batch.sequences();
                    NDArray hidden = model.hidden(ps, b.inputs(scope, config.attention(), config.imageSize()), true);
                    NDArray logits = model.logits(ps, Mllm.readout(hidden, b.readout(scope)), true);
                    NDArray answers = scope.create(batch.answers());
                    return switch (objective) {
                        case LISTWISE -> AnswerLoss.listwise(logits, yes, no, group);
                        case ANSWERS -> AnswerLoss.crossEntropyOverAnswers(logits, answers, yes, no);
                        case VOCABULARY -> AnswerLoss.crossEntropy(logits, answers);
                    };
                }
            });
            return stage.finish(ctx, spec, "reranker", run.totalSteps(), Map.of());
        }
    }

    /**
     * {@code n} distinct random candidates of the query's retrieved top list that are neither labelled positives nor
     * filtered by mining as likely false negatives (a planted copy of the positive must not be taught as "No"); random pool
     * candidates, outside those and the ones drawn, where the list has fewer.
     */
    static List<MbeirCandidate> negatives(MbeirQuery q, HardNegativeFile.Entry entry, List<String> allDids, TrainingSet set, Random r,
            int n) {
        Set<String> excluded = ContrastiveJob.notNegatives(q, entry);
        List<String> options = new ArrayList<>();
        if (entry != null) {
            entry.topDocs().stream().filter(d -> !excluded.contains(d)).forEach(options::add);
        }
        List<MbeirCandidate> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String did = options.isEmpty() ? ContrastiveJob.randomNegative(excluded, allDids, r) : options.remove(r.nextInt(options.size()));
            excluded.add(did);
            out.add(set.pool().get(did));
        }
        return out;
    }
}
