package dev.umarvel.recipe.jobs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import ai.djl.ndarray.types.Shape;
import dev.umarvel.model.Item;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.OfflineEngine;
import dev.umarvel.model.SequenceBatch;
import dev.umarvel.model.SequenceBuilder;
import dev.umarvel.model.loss.DistillationLoss;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.recipe.DataOrder;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobSpec;
import dev.umarvel.recipe.LearningCurve;
import dev.umarvel.recipe.StageModel;
import dev.umarvel.recipe.TrainingRun;
import dev.umarvel.recipe.Validation;
import dev.umarvel.recipe.data.ImageLoader;
import dev.umarvel.recipe.data.Side;
import dev.umarvel.mbeir.TeacherFile;
import dev.umarvel.mbeir.TrainingSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DISTILL (u-marvel.md section 8): over each sampled query's list of L candidates, the student's
 * cos / tau is pulled towards the teacher's fused / tau by KL(teacher || student); no in-batch term.
 * The teacher file comes from the orchestrator, or from {@link TeacherScoring} when absent.
 */
public final class DistillJob {

    /** Laid-out queries, their candidate lists (flattened) and the teacher scores. */
    private record Lists(SequenceBatch queries, SequenceBatch candidates, float[] teacher, float[] padding, int size) {}

    private DistillJob() {}

    public static Path run(JobContext ctx, JobSpec spec) throws Exception {
        TrainingSet set = Sources.trainingSet(ctx, spec);
        Path teacherFile = spec.data().teacherScores().isEmpty() ? TeacherScoring.score(ctx, spec, set) : Sources.teacherScores(ctx, spec);
        List<TeacherFile.Entry> lists = TeacherFile.read(teacherFile);
        int size = spec.distill().listSize();
        try (NDManager manager = OfflineEngine.pytorch().newBaseManager(); StageModel stage = StageModel.open(ctx, spec, manager)) {
            Mllm model = stage.model();
            ModelConfig config = model.config();
            ImageLoader images = new ImageLoader(Sources.datasetRoot(ctx, spec), config.imageSize());
            SequenceBuilder builder = new SequenceBuilder(stage.tokenizer(), config);
            DataOrder order = new DataOrder(lists.size(), spec.hyper().batchSize(), spec.seed());
            TrainingRun run = new TrainingRun(ctx, spec, model, manager, stage.tokenizerFile(), order, stage.lora());
            ctx.listener().log("DISTILL: " + lists.size() + " queries x " + size + " candidates, " + run.totalSteps() + " steps");
            boolean validates = Validation.applies(ctx, spec);
            LearningCurve.attach(ctx, spec, stage, manager, run, Double.NaN); // a KL has no chance level to sit at
            run.run(new TrainingRun.Step<Lists>() {
                @Override
                public Lists prepare(long step, List<Integer> indices) throws Exception {
                    List<Item> queries = new ArrayList<>();
                    List<Item> candidates = new ArrayList<>();
                    float[] teacher = new float[indices.size() * size];
                    float[] padding = new float[indices.size() * size];
                    int t = 0;
                    for (int i : indices) {
                        TeacherFile.Entry e = lists.get(i);
                        queries.add(images.query(e.instruction(), new Side(e.queryTxt(), e.queryImgPath())));
                        for (int j = 0; j < size; j++) {
                            // a short list is padded with its last candidate, masked out of both softmaxes
                            TeacherFile.Scored s = e.candidates().get(Math.min(j, e.candidates().size() - 1));
                            candidates.add(images.candidate(Side.of(set.pool().get(s.did()))));
                            padding[t] = j < e.candidates().size() ? 0 : DistillationLoss.PADDED;
                            teacher[t++] = s.teacher();
                        }
                    }
                    return new Lists(builder.embedding(queries, true), builder.embedding(candidates, true), teacher, padding,
                            indices.size());
                }

                @Override
                public NDArray loss(Lists batch, NDManager scope, ParameterStore ps) {
                    SequenceBatch q = batch.queries();
                    SequenceBatch c = batch.candidates();
                    NDArray qe = model.embed(ps, q.inputs(scope, config.attention(), config.imageSize()), q.readout(scope), true);
                    NDArray ce = model.embed(ps, c.inputs(scope, config.attention(), config.imageSize()), c.readout(scope), true)
                            .reshape(new Shape(batch.size(), size, -1));
                    NDArray scores = scope.create(batch.teacher(), new Shape(batch.size(), size));
                    NDArray padding = scope.create(batch.padding(), new Shape(batch.size(), size));
                    NDArray tau = model.temperature().value(ps, qe, true);
                    return DistillationLoss.kl(qe, ce, scores, tau, tau, padding);
                }
            });
            if (validates) {
                Validation.run(ctx, spec, stage, manager, "end of " + spec.kind());
            }
            return stage.finish(ctx, spec, "embedder", run.totalSteps(), Map.of());
        }
    }
}
