package dev.umarvel.recipe;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.Json;
import dev.umarvel.mbeir.eval.ValidationProbe;
import dev.umarvel.model.Inference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A training run's learning curve: every few steps, the mean loss since the last point beside its chance
 * level, recall on a fixed validation slice ({@link ValidationProbe}) and the mean pairwise cosine of a fixed
 * sample of embeddings. Each point is streamed to the listener and kept in {@code <output>/curve.json} (and a line each in
 * {@code curve.jsonl})
 * (atomically, so a resumed run continues it). Past warm-up it warns, once per kind, when the loss sits at
 * its chance level or the embeddings have collapsed: the two ways a run that "finishes fine" learns nothing.
 */
public final class LearningCurve {

    /** Points over a run when {@code eval_every_steps} is not set, at least {@link #MIN_GAP} steps apart (and always one at the end). */
    public static final int DEFAULT_POINTS = 8;
    static final int MIN_GAP = 25;
    /** Validation queries per task, and other candidates per task beside their positives, in the probe. */
    public static final int PROBE_QUERIES = 20;
    static final int PROBE_POOL = 100;
    /** Mean pairwise cosine above which the embeddings count as collapsed. */
    static final double COLLAPSED = 0.9;
    /** A loss within 2 % of its chance level counts as at chance. */
    static final double AT_CHANCE = 0.98;
    /** Warnings wait until this share of the run is done (warm-up and the first updates). */
    static final double WARM = 0.2;

    private final JobContext ctx;
    private final ValidationProbe probe;
    private final Inference model;
    private final double chanceLoss;
    private final long every;
    private final long totalSteps;
    private final List<JobListener.CurvePoint> points = new ArrayList<>();
    private final Set<String> warned = new HashSet<>();

    private LearningCurve(JobContext ctx, ValidationProbe probe, Inference model, double chanceLoss, long every, long totalSteps)
            throws IOException {
        this.ctx = ctx;
        this.probe = probe;
        this.model = model;
        this.chanceLoss = chanceLoss;
        this.every = every;
        this.totalSteps = totalSteps;
        points.addAll(read(file(ctx)));
    }

    /**
     * Follows {@code run}. Embedder stages ({@code stage} set) measure recall and collapse on the dataset's validation
     * slice; the others record their loss only.
     *
     * @param chanceLoss the loss of a model that has learned nothing (NaN: none applies)
     */
    public static LearningCurve attach(JobContext ctx, JobSpec spec, StageModel stage, NDManager manager, TrainingRun run,
            double chanceLoss) throws IOException {
        long evalEvery = spec.hyper().evalEvery();
        long every = evalEvery == Hyper.AUTO ? Math.max(MIN_GAP, run.totalSteps() / DEFAULT_POINTS) : evalEvery;
        if (every <= 0) {
            return null;
        }
        ValidationProbe probe = null;
        Inference inference = null;
        if (stage != null) { // cheap enough for every run: skip_validation skips the whole split's validation at the end only
            probe = ValidationProbe.load(ctx.dataset(spec), PROBE_QUERIES,
                    PROBE_POOL);
            inference = probe == null ? null : new Inference(stage.model(), stage.tokenizer(), manager);
        }
        LearningCurve curve = new LearningCurve(ctx, probe, inference, chanceLoss, every, run.totalSteps());
        run.curve(curve);
        return curve;
    }

    static Path file(JobContext ctx) {
        return ctx.output().resolve("curve.json");
    }

    /** Whether a point is due after {@code done} steps. */
    boolean due(long done) {
        return done % every == 0 || done == totalSteps;
    }

    /** Measures and records the point after {@code step} steps, whose mean loss since the last point was {@code loss}. */
    void point(long step, double loss) throws Exception {
        double recall = Double.NaN;
        double cosine = Double.NaN;
        if (probe != null) {
            ValidationProbe.Measurement m = probe.measure("step " + step, new ModelEncoder(model, probe.layout()));
            recall = m.recall().meanLocal();
            cosine = m.meanPairwiseCosine();
        }
        JobListener.CurvePoint p = new JobListener.CurvePoint(step, loss, chanceLoss, recall, cosine);
        points.removeIf(old -> old.step() >= step); // a resumed run measures again what it does again
        points.add(p);
        ctx.listener().curve(p);
        warn(p);
        write();
    }

    /** What a point says is wrong: "chance_loss", "collapse", both or neither (nothing during warm-up). */
    static List<String> problems(JobListener.CurvePoint p, long totalSteps) {
        List<String> out = new ArrayList<>();
        if (p.step() >= WARM * totalSteps) {
            if (p.loss() >= AT_CHANCE * p.chanceLoss()) {
                out.add("chance_loss");
            }
            if (p.meanPairwiseCosine() > COLLAPSED) {
                out.add("collapse");
            }
        }
        return out;
    }

    private void warn(JobListener.CurvePoint p) {
        List<String> problems = problems(p, totalSteps);
        if (problems.contains("chance_loss") && warned.add("chance_loss")) {
            ctx.listener().warning("chance_loss", String.format(Locale.ROOT, "the loss is %.4f at step %d of %d, at its chance level "
                    + "%.4f (ln of the candidates per query): the model is not learning to tell its candidates apart; look at the "
                    + "learning rate, the trainable set (TRAINABLE_FULL for a model that is not pretrained) and --overfit-batch",
                    p.loss(), p.step(), totalSteps, p.chanceLoss()));
        }
        if (problems.contains("collapse") && warned.add("collapse")) {
            ctx.listener().warning("collapse", String.format(Locale.ROOT, "the embeddings have collapsed at step %d of %d: a fixed sample "
                    + "of validation candidates has a mean pairwise cosine of %.3f (above %.1f), so every candidate is near every "
                    + "other; recall and mined hard negatives will be noise", p.step(), totalSteps, p.meanPairwiseCosine(), COLLAPSED));
        }
    }

    private void write() throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("every", every);
        root.put("total_steps", totalSteps);
        ArrayNode array = root.putArray("points");
        for (JobListener.CurvePoint p : points) {
            ObjectNode n = array.addObject();
            n.put("step", p.step());
            n.put("loss", p.loss());
            putFinite(n, "chance_loss", p.chanceLoss());
            putFinite(n, "val_recall", p.valRecall());
            putFinite(n, "mean_pairwise_cosine", p.meanPairwiseCosine());
        }
        Files.createDirectories(ctx.output());
        AtomicWriter.write(file(ctx), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        // the same points a line each, for the tools that read JSON Lines (jq -c, pandas.read_json(lines=True))
        StringBuilder lines = new StringBuilder();
        array.forEach(n -> lines.append(n).append('\n'));
        AtomicWriter.write(ctx.output().resolve("curve.jsonl"), lines.toString());
    }

    private static void putFinite(ObjectNode n, String field, double value) {
        if (Double.isFinite(value)) {
            n.put(field, value);
        }
    }

    /** The points of a curve file (none when it does not exist). */
    public static List<JobListener.CurvePoint> read(Path file) throws IOException {
        List<JobListener.CurvePoint> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (JsonNode n : Json.MAPPER.readTree(file.toFile()).path("points")) {
            out.add(new JobListener.CurvePoint(n.get("step").asLong(), n.get("loss").asDouble(), n.path("chance_loss").asDouble(Double.NaN),
                    n.path("val_recall").asDouble(Double.NaN), n.path("mean_pairwise_cosine").asDouble(Double.NaN)));
        }
        return out;
    }
}
