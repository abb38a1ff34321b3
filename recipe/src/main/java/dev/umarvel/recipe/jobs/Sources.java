package dev.umarvel.recipe.jobs;

import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobKind;
import dev.umarvel.recipe.JobSpec;
import dev.umarvel.recipe.data.DerivedPairs;
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

    /**
     * The pairs of a text-align or cross-modal job: data.pairs, else the dataset's pair file, else pairs derived from its
     * training queries (logged, and refused with the files it looked for when there are none).
     */
    static List<PairFile.Pair> pairs(JobContext ctx, JobSpec spec) throws Exception {
        MbeirLayout layout = layout(ctx, spec);
        boolean text = spec.kind() == JobKind.TEXT_ALIGN;
        Path file = inDataset(ctx, spec, "data.pairs", spec.data().pairs(), text ? layout.textPairs() : layout.captionImagePairs());
        if (!spec.data().pairs().isEmpty() || java.nio.file.Files.exists(file)) {
            return PairFile.read(file);
        }
        TrainingSet set = trainingSet(ctx, spec);
        List<PairFile.Pair> derived = text ? DerivedPairs.textPairs(set) : DerivedPairs.captionImagePairs(set);
        String what = text ? "text pairs from the text -> text" : "caption-image pairs from the text -> image and image -> text";
        if (derived.isEmpty()) {
            throw new dev.umarvel.recipe.InvalidSpecException("data.pairs: no " + ctx.relative(file) + ", and no " + what
                    + " training queries of " + set.queries().size() + " in the training file to derive them from");
        }
        ctx.listener().log("derived " + derived.size() + " " + what + " training queries (the dataset has no " + ctx.relative(file) + ")");
        return derived;
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
