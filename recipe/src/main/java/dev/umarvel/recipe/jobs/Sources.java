package dev.umarvel.recipe.jobs;

import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobKind;
import dev.umarvel.recipe.JobSpec;
import dev.umarvel.recipe.data.PairFile;
import dev.umarvel.recipe.data.Side;
import dev.umarvel.recipe.data.TextViews;
import dev.umarvel.mbeir.TrainingSet;
import java.nio.file.Path;
import java.util.List;

/** The data files of a job, with the M-BEIR layout's defaults. */
final class Sources {

    private Sources() {}

    static Path datasetRoot(JobContext ctx, JobSpec spec) {
        return ctx.dataset(spec).root();
    }

    static MbeirLayout layout(JobContext ctx, JobSpec spec) {
        return ctx.dataset(spec);
    }

    private static Path inDataset(JobContext ctx, JobSpec spec, String field, String value, Path fallback) {
        return value.isEmpty() ? fallback : ctx.resolve(field, spec.data().datasetDir() + "/" + value);
    }

    static TrainingSet trainingSet(JobContext ctx, JobSpec spec) throws Exception {
        MbeirLayout layout = layout(ctx, spec);
        return TrainingSet.load(inDataset(ctx, spec, "data.train_queries", spec.data().trainQueries(), layout.unionTrainQueries()),
                trainPool(ctx, spec),
                inDataset(ctx, spec, "data.instructions", spec.data().instructions(), layout.instructions()));
    }

    /** The training pool: data.train_pool, else the dataset's union training pool. */
    private static Path trainPool(JobContext ctx, JobSpec spec) {
        return inDataset(ctx, spec, "data.train_pool", spec.data().trainPool(), layout(ctx, spec).unionPool(MbeirLayout.TRAIN));
    }

    static List<PairFile.Pair> pairs(JobContext ctx, JobSpec spec) throws Exception {
        MbeirLayout layout = layout(ctx, spec);
        Path fallback = spec.kind() == JobKind.TEXT_ALIGN ? layout.textPairs() : layout.captionImagePairs();
        return PairFile.read(inDataset(ctx, spec, "data.pairs", spec.data().pairs(), fallback));
    }

    /**
     * The texts of the training pool long enough for text views ({@link TextViews#croppable}), formatted as the model
     * reads them; none when the dataset has no training pool. Training candidates only: never a validation or test one.
     */
    static List<String> poolTexts(JobContext ctx, JobSpec spec) throws Exception {
        Path pool = trainPool(ctx, spec);
        if (!java.nio.file.Files.exists(pool)) {
            return List.of();
        }
        try (java.util.stream.Stream<dev.umarvel.mbeir.MbeirCandidate> cs = dev.umarvel.mbeir.Jsonl.candidates(pool)) {
            return cs.map(c -> Side.of(c).formattedText()).filter(TextViews::croppable).toList();
        }
    }

    static Path hardNegatives(JobContext ctx, JobSpec spec) {
        return ctx.resolve("data.hard_negatives", spec.data().hardNegatives());
    }

    static Path teacherScores(JobContext ctx, JobSpec spec) {
        return ctx.resolve("data.teacher_scores", spec.data().teacherScores());
    }
}
