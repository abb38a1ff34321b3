package dev.umarvel.recipe.jobs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirDataset;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.model.Item;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.SequenceBatch;
import dev.umarvel.model.SequenceBuilder;
import dev.umarvel.model.loss.ContrastiveLoss;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.recipe.DataOrder;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobKind;
import dev.umarvel.recipe.JobSpec;
import dev.umarvel.recipe.LearningCurve;
import dev.umarvel.recipe.StageModel;
import dev.umarvel.recipe.TrainingRun;
import dev.umarvel.recipe.Validation;
import dev.umarvel.recipe.data.HardNegativeFile;
import dev.umarvel.recipe.data.ImageLoader;
import dev.umarvel.recipe.data.ImageViews;
import dev.umarvel.recipe.data.TextViews;
import dev.umarvel.recipe.data.PairFile;
import dev.umarvel.recipe.data.Side;
import dev.umarvel.mbeir.TeacherFile;
import dev.umarvel.mbeir.TrainingSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The contrastive stages: TEXT_ALIGN (text pairs), CROSS_MODAL (caption-image pairs,
 * bidirectional loss), INSTRUCTION (M-BEIR queries with instructions), HARD_NEGATIVE (plus k mined
 * hard negatives per query, mixed with in-batch negatives) and CONTINUE_HARD (the distillation
 * lists used as plain hard negatives: the control of DISTILL).
 */
public final class ContrastiveJob {

    /**
     * One example: a query, its positive, (hard-negative stages) its hard negatives, and (cross-modal with image views) a
     * second view of the positive's image, else null.
     */
    record Example(Item query, Item positive, List<Item> hardNegatives, Item view) {
        Example(Item query, Item positive, List<Item> hardNegatives) {
            this(query, positive, hardNegatives, null);
        }
    }

    /** A laid-out step: queries, then positives followed by every query's hard negatives; the views, or null. */
    record Batch(SequenceBatch queries, SequenceBatch candidates, SequenceBatch views, int size, int k) {}

    /** Where examples come from. */
    interface Source {
        int size();

        /** The task of each example, for task batches; null where examples have no task. */
        default int[] tasks() {
            return null;
        }

        Example example(int index, Random random);
    }

    private ContrastiveJob() {}

    public static Path run(JobContext ctx, JobSpec spec) throws Exception {
        try (NDManager manager = dev.umarvel.model.OfflineEngine.pytorch().newBaseManager();
                StageModel stage = StageModel.open(ctx, spec, manager)) {
            Mllm model = stage.model();
            ModelConfig config = model.config();
            Source source = source(ctx, spec, new ImageLoader(Sources.datasetRoot(ctx, spec), config.imageSize()), config.imageSize());
            SequenceBuilder builder = new SequenceBuilder(stage.tokenizer(), config);
            int[] tasks = spec.hyper().taskBatches() ? source.tasks() : null;
            DataOrder order = new DataOrder(source.size(), spec.hyper().batchSize(), spec.seed(), tasks);
            TrainingRun run = new TrainingRun(ctx, spec, model, manager, stage.tokenizerFile(), order, stage.lora());
            ctx.listener().log(spec.kind() + ": " + source.size() + " examples, " + run.totalSteps() + " steps of "
                    + spec.hyper().batchSize() + (tasks != null ? " (one task per batch)" : "") + ", lr " + spec.hyper().learningRate());
            boolean validates = Validation.applies(ctx, spec);
            LearningCurve.attach(ctx, spec, stage, manager, run, chanceLoss(spec));
            run.run(new TrainingRun.Step<Batch>() {
                @Override
                public Batch prepare(long step, List<Integer> indices) throws Exception {
                    List<Item> queries = new ArrayList<>();
                    List<Item> candidates = new ArrayList<>();
                    List<Item> hard = new ArrayList<>();
                    List<Item> views = new ArrayList<>();
                    int k = -1;
                    for (int i : indices) {
                        Example e = source.example(i, order.random(step, i));
                        queries.add(e.query());
                        candidates.add(e.positive());
                        if (k < 0) {
                            k = e.hardNegatives().size();
                        }
                        hard.addAll(e.hardNegatives());
                        if (e.view() != null) {
                            views.add(e.view());
                        }
                    }
                    candidates.addAll(hard);
                    // views pair with positives row by row: all of the batch's positives have one, or none is used
                    SequenceBatch viewBatch = views.size() == queries.size() ? builder.embedding(views, true) : null;
                    return new Batch(builder.embedding(queries, true), builder.embedding(candidates, true), viewBatch,
                            queries.size(), k);
                }

                @Override
                public NDArray loss(Batch batch, NDManager scope, ParameterStore ps) {
                    SequenceBatch q = batch.queries();
                    SequenceBatch c = batch.candidates();
                    NDArray qe = model.embed(ps, q.inputs(scope, config.attention(), config.imageSize()), q.readout(scope), true);
                    NDArray ce = model.embed(ps, c.inputs(scope, config.attention(), config.imageSize()), c.readout(scope), true);
                    NDArray tau = model.temperature().value(ps, qe, true);
                    int b = batch.size();
                    NDArray positives = ce.get("0:{}", b);
                    if (batch.k() > 0) {
                        NDArray negatives = ce.get("{}:", b).reshape(new Shape(b, batch.k(), -1));
                        return spec.hyper().hardNegativesOnly() ? ContrastiveLoss.hardNegativesOnly(qe, positives, negatives, tau)
                                : ContrastiveLoss.withHardNegatives(qe, positives, negatives, tau);
                    }
                    NDArray loss = spec.hyper().bidirectionalLoss() ? ContrastiveLoss.bidirectional(qe, positives, tau)
                            : ContrastiveLoss.queryToCandidate(qe, positives, tau);
                    if (batch.views() != null) { // each image against its own view, among the batch's other images
                        SequenceBatch v = batch.views();
                        NDArray ve = model.embed(ps, v.inputs(scope, config.attention(), config.imageSize()), v.readout(scope), true);
                        loss = loss.add(ContrastiveLoss.bidirectional(positives, ve, tau));
                    }
                    return loss;
                }
            });
            if (validates) {
                Validation.run(ctx, spec, stage, manager, "end of " + spec.kind());
            }
            return stage.finish(ctx, spec, "embedder", run.totalSteps(), Map.of());
        }
    }

    /** ln of the candidates each query's softmax runs over (both directions summed for the bidirectional loss). */
    static double chanceLoss(JobSpec spec) {
        int b = spec.hyper().batchSize();
        int k = spec.kind() == JobKind.HARD_NEGATIVE ? spec.hyper().hardNegatives()
                : spec.kind() == JobKind.CONTINUE_HARD ? spec.distill().listSize() - 1 : 0;
        if (k > 0) {
            return Math.log(spec.hyper().hardNegativesOnly() ? 1 + k : b + (double) b * k);
        }
        double caption = (spec.hyper().bidirectionalLoss() ? 2 : 1) * Math.log(b);
        return imageViews(spec) ? caption + 2 * Math.log(b) : caption;
    }

    /** Whether the stage adds the image-to-view term: cross-modal pairs only. */
    static boolean imageViews(JobSpec spec) {
        return spec.kind() == JobKind.CROSS_MODAL && spec.hyper().imageViews();
    }

    private static Source source(JobContext ctx, JobSpec spec, ImageLoader images, int imageSize) throws Exception {
        return switch (spec.kind()) {
            case TEXT_ALIGN -> withTextViews(pairs(Sources.pairs(ctx, spec), images, 0),
                    spec.hyper().textViews() ? Sources.poolTexts(ctx, spec) : List.of());
            case CROSS_MODAL -> pairs(Sources.pairs(ctx, spec), images, imageViews(spec) ? imageSize : 0);
            case INSTRUCTION -> instructed(Sources.trainingSet(ctx, spec), spec.data(), images, null, 0);
            case HARD_NEGATIVE -> instructed(Sources.trainingSet(ctx, spec), spec.data(), images,
                    HardNegativeFile.read(Sources.hardNegatives(ctx, spec)), spec.hyper().hardNegatives());
            case CONTINUE_HARD -> continueHard(ctx, spec, images);
            default -> throw new IllegalArgumentException(spec.kind() + " is not a contrastive stage");
        };
    }

    /** Pairs as they are; with {@code viewSize} > 0, each positive image also gets a second view (its text kept). */
    private static Source pairs(List<PairFile.Pair> pairs, ImageLoader images, int viewSize) {
        return new Source() {
            @Override
            public int size() {
                return pairs.size();
            }

            @Override
            public Example example(int index, Random random) {
                PairFile.Pair p = pairs.get(index);
                Item positive = images.candidate(p.positive());
                Item view = viewSize > 0 && positive.hasImage()
                        ? Item.candidate(positive.text(), ImageViews.view(positive.image(), viewSize, random)) : null;
                return new Example(images.query("", p.query()), positive, List.of(), view);
            }
        };
    }

    /** The pairs, then one example per text: two independent random spans of it (fresh at every draw). */
    private static Source withTextViews(Source pairs, List<String> texts) {
        if (texts.isEmpty()) {
            return pairs;
        }
        return new Source() {
            @Override
            public int size() {
                return pairs.size() + texts.size();
            }

            @Override
            public Example example(int index, Random random) {
                if (index < pairs.size()) {
                    return pairs.example(index, random);
                }
                String text = texts.get(index - pairs.size());
                return new Example(Item.query("", TextViews.crop(text, random), null),
                        Item.candidate(TextViews.crop(text, random), null), List.of());
            }
        };
    }

    private static Source instructed(TrainingSet set, JobSpec.Data data, ImageLoader images, Map<String, HardNegativeFile.Entry> mined, int k) {
        List<MbeirQuery> queries = upsampled(mined == null ? set.queries()
                : set.queries().stream().filter(q -> mined.containsKey(q.qid())).toList(), data);
        List<String> poolDids = set.pool().keySet().stream().sorted().toList();
        return new Source() {
            @Override
            public int size() {
                return queries.size();
            }

            @Override
            public int[] tasks() {
                return taskLabels(queries);
            }

            @Override
            public Example example(int index, Random random) {
                MbeirQuery q = queries.get(index);
                Item query = images.query(set.instruction(q, random), Side.of(q));
                Item positive = images.candidate(Side.of(set.positive(q, random)));
                List<Item> hard = new ArrayList<>();
                if (mined != null) {
                    HardNegativeFile.Entry entry = mined.get(q.qid());
                    List<String> dids = entry.hardNegatives();
                    // none mined: random candidates that are neither the query's positives nor ones mining filtered as likely false negatives
                    Set<String> excluded = dids.isEmpty() ? notNegatives(q, entry) : Set.of();
                    for (int i = 0; i < k; i++) {
                        // fewer mined than k: repeat the first, as the released code pads
                        String did = dids.isEmpty() ? randomNegative(excluded, poolDids, random) : dids.get(i < dids.size() ? i : 0);
                        hard.add(images.candidate(Side.of(set.pool().get(did))));
                    }
                }
                return new Example(query, positive, hard);
            }
        };
    }

    /**
     * Each query as many times as its dataset's {@code data.upsample} says, the copies side by side (the epoch's shuffle
     * spreads them; each copy draws its own instruction and positive).
     */
    static List<MbeirQuery> upsampled(List<MbeirQuery> queries, JobSpec.Data data) {
        if (data.upsample().isEmpty()) {
            return queries;
        }
        Map<Integer, Integer> timesById = new HashMap<>();
        for (MbeirDataset d : MbeirDataset.values()) {
            timesById.put(d.id(), data.upsample(d.stem()));
        }
        List<MbeirQuery> out = new ArrayList<>();
        for (MbeirQuery q : queries) {
            // a dataset id of no M-BEIR dataset (an import of one's own) is never named, so once
            int times = timesById.getOrDefault(q.datasetId(), 1);
            for (int i = 0; i < times; i++) {
                out.add(q);
            }
        }
        return out;
    }

    /** What must never be a query's negative: its labelled positives and the candidates mining filtered as likely false negatives. */
    static Set<String> notNegatives(MbeirQuery q, HardNegativeFile.Entry mined) {
        Set<String> out = new HashSet<>(q.posCandList());
        if (mined != null) {
            out.addAll(mined.filteredFalseNegatives());
        }
        return out;
    }

    /**
     * A random pool candidate outside {@code excluded}; the last one drawn when 64 draws in a row were all excluded (a pool
     * of a few candidates may hold no other).
     */
    static String randomNegative(Set<String> excluded, List<String> poolDids, Random random) {
        String did = poolDids.get(random.nextInt(poolDids.size()));
        for (int retry = 0; retry < 64 && excluded.contains(did); retry++) {
            did = poolDids.get(random.nextInt(poolDids.size()));
        }
        return did;
    }

    /** Dataset and task of each query as one label: M-BEIR's tasks are (dataset, task id) pairs. */
    static int[] taskLabels(List<MbeirQuery> queries) {
        Map<String, Integer> ids = new java.util.HashMap<>();
        int[] out = new int[queries.size()];
        for (int i = 0; i < out.length; i++) {
            MbeirQuery q = queries.get(i);
            out[i] = ids.computeIfAbsent(q.datasetId() + "/" + q.taskId(), key -> ids.size());
        }
        return out;
    }

    /** The distillation lists as hard negatives: same queries, same candidates, InfoNCE instead of KL. */
    private static Source continueHard(JobContext ctx, JobSpec spec, ImageLoader images) throws Exception {
        TrainingSet set = Sources.trainingSet(ctx, spec);
        Path file = spec.data().teacherScores().isEmpty() ? TeacherScoring.score(ctx, spec, set) : Sources.teacherScores(ctx, spec);
        List<TeacherFile.Entry> lists = TeacherFile.read(file);
        Map<String, MbeirQuery> byQid = new java.util.HashMap<>();
        set.queries().forEach(x -> byQid.put(x.qid(), x));
        int size = spec.distill().listSize();
        return new Source() {
            @Override
            public int size() {
                return lists.size();
            }

            @Override
            public int[] tasks() {
                // a list whose query left the training set keeps the dataset of its qid ("dataset:n")
                Map<String, Integer> ids = new java.util.HashMap<>();
                return lists.stream().mapToInt(e -> {
                    MbeirQuery q = byQid.get(e.qid());
                    String key = q != null ? q.datasetId() + "/" + q.taskId() : e.qid().split(":")[0];
                    return ids.computeIfAbsent(key, k -> ids.size());
                }).toArray();
            }

            @Override
            public Example example(int index, Random random) {
                TeacherFile.Entry e = lists.get(index);
                MbeirQuery q = byQid.get(e.qid());
                Item query = images.query(e.instruction(), new Side(e.queryTxt(), e.queryImgPath()));
                MbeirCandidate positive = q != null ? set.positive(q, random) : set.pool().get(e.candidates().get(0).did());
                List<Item> hard = new ArrayList<>();
                for (TeacherFile.Scored c : e.candidates()) {
                    if (hard.size() == size - 1) {
                        break;
                    }
                    if (q == null || !q.posCandList().contains(c.did())) {
                        hard.add(images.candidate(Side.of(set.pool().get(c.did()))));
                    }
                }
                while (hard.size() < size - 1) {
                    hard.add(hard.isEmpty() ? images.candidate(Side.of(positive)) : hard.get(0)); // keep the batch rectangular
                }
                return new Example(query, images.candidate(Side.of(positive)), hard);
            }
        };
    }
}
