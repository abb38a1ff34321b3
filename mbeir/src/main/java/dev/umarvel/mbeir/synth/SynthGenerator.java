package dev.umarvel.mbeir.synth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Json;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirDataset;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.Qrels;
import dev.umarvel.mbeir.TrainingPairs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes M-BEIR-synth: a complete M-BEIR-layout dataset drawn from the procedural world, one
 * analogue per M-BEIR task, with natural hard negatives and planted false negatives. The same
 * seed and size give byte-identical files.
 */
public final class SynthGenerator {

    /** Format version of the generated data, recorded in the manifest. */
    public static final int VERSION = 1;
    /** Share of training queries given a planted false negative: a copy of a positive under another did, labelled negative. */
    public static final double FALSE_NEGATIVE_RATE = 0.10;
    public static final String MANIFEST = "synth_manifest.json";
    private static final List<String> SPLITS = List.of(MbeirLayout.TRAIN, MbeirLayout.VAL, MbeirLayout.TEST);

    private final MbeirLayout layout;
    private final SynthSize size;
    private final long seed;
    private final Consumer<String> progress;
    private final ImageFolder images;
    private final Map<MbeirDataset, int[]> nextQid = new EnumMap<>(MbeirDataset.class);
    private final Map<MbeirDataset, int[]> nextDid = new EnumMap<>(MbeirDataset.class);
    private final Map<String, CandidatePool> pools = new LinkedHashMap<>();
    private final Map<String, List<MbeirQuery>> queries = new LinkedHashMap<>(); // "split/task" -> queries
    private int planted;

    private SynthGenerator(Path out, SynthSize size, long seed, Consumer<String> progress) {
        this.layout = new MbeirLayout(out);
        this.size = size;
        this.seed = seed;
        this.progress = progress;
        this.images = new ImageFolder(out);
        for (MbeirDataset d : MbeirDataset.values()) {
            nextQid.put(d, new int[1]);
            nextDid.put(d, new int[1]);
        }
    }

    /** Generates the dataset into {@code out} (created if needed) and returns its manifest. */
    public static ObjectNode generate(Path out, SynthSize size, long seed, Consumer<String> progress) throws IOException {
        return new SynthGenerator(out, size, seed, progress).run();
    }

    private ObjectNode run() throws IOException {
        Random world = random("world");
        List<Entity> all = Entity.catalogue(size.entities, world);
        int cut = (int) (all.size() * 0.7);
        KnowledgeTasks.Entities entities = new KnowledgeTasks.Entities(all.subList(0, cut), all.subList(cut, all.size()), all);
        List<TaskSource> sources = List.of(
                SceneTasks.captions(MbeirDataset.VISUALNEWS, 0, all),
                SceneTasks.captions(MbeirDataset.MSCOCO, 0, all),
                ItemTasks.descriptions(0),
                KnowledgeTasks.questions(1, entities),
                KnowledgeTasks.headlines(entities),
                KnowledgeTasks.questions(2, entities),
                SceneTasks.captions(MbeirDataset.VISUALNEWS, 3, all),
                SceneTasks.captions(MbeirDataset.MSCOCO, 3, all),
                ItemTasks.descriptions(3),
                SceneTasks.rerendered(),
                KnowledgeTasks.recognition(MbeirDataset.OVEN, 6, entities),
                KnowledgeTasks.recognition(MbeirDataset.INFOSEEK, 6, entities),
                ItemTasks.changes(),
                SceneTasks.composed(),
                KnowledgeTasks.recognition(MbeirDataset.OVEN, 8, entities),
                KnowledgeTasks.recognition(MbeirDataset.INFOSEEK, 8, entities));

        for (String split : SPLITS) {
            for (TaskSource source : sources) {
                progress.accept("queries " + split + " " + source.task().name());
                generateQueries(source, split);
            }
        }
        for (TaskSource source : sources) {
            progress.accept("distractors " + source.task().name());
            addDistractors(source);
        }
        progress.accept("writing files");
        writeFiles();
        return writeManifest();
    }

    /** A random stream of its own for each part, so changing one task never shifts another. */
    private Random random(String part) {
        return new Random(seed * 1_000_003L + part.hashCode());
    }

    private static String poolName(EvalTask task, String split) {
        if (split.equals(MbeirLayout.TRAIN)) {
            return MbeirLayout.TRAIN;
        }
        return task.mbeirDataset() == MbeirDataset.MSCOCO ? task.name() + "_" + split : task.name();
    }

    private void generateQueries(TaskSource source, String split) throws IOException {
        EvalTask task = source.task();
        MbeirDataset dataset = task.mbeirDataset();
        CandidatePool pool = pools.computeIfAbsent(poolName(task, split), k -> new CandidatePool());
        Random r = random(task.name() + "/" + split);
        int n = switch (split) {
            case MbeirLayout.TRAIN -> size.train;
            case MbeirLayout.VAL -> size.val;
            default -> size.test;
        };
        List<MbeirQuery> out = queries.computeIfAbsent(split + "/" + task.name(), k -> new ArrayList<>());
        for (int i = 0; i < n; i++) {
            Example ex = source.example(r, split);
            Set<String> positiveKeys = new LinkedHashSet<>();
            List<String> pos = new ArrayList<>();
            for (Content c : ex.positives()) {
                if (positiveKeys.add(c.key())) {
                    pos.add(intern(pool, dataset, c));
                }
            }
            List<String> neg = new ArrayList<>();
            for (Content c : ex.negatives()) {
                if (!positiveKeys.contains(c.key())) {
                    String did = intern(pool, dataset, c);
                    if (!neg.contains(did)) {
                        neg.add(did);
                    }
                }
            }
            if (split.equals(MbeirLayout.TRAIN) && r.nextDouble() < FALSE_NEGATIVE_RATE) {
                neg.add(add(pool, dataset, ex.positives().get(0), null)); // planted false negative
                planted++;
            }
            Content q = ex.query();
            String image = q.scene() == null ? null : images.path(dataset.stem() + "_images", q.scene(), q.variant());
            String qid = dataset.id() + ":" + ++nextQid.get(dataset)[0];
            out.add(new MbeirQuery(qid, q.text(), image, q.modality(), null, pos, neg, task.taskId(), null));
        }
    }

    /** The did of equal content of the same dataset in this pool, or a new one (the train pool holds every dataset). */
    private String intern(CandidatePool pool, MbeirDataset dataset, Content c) throws IOException {
        String key = dataset.id() + "|" + c.key();
        String existing = pool.find(key);
        return existing != null ? existing : add(pool, dataset, c, key);
    }

    private String add(CandidatePool pool, MbeirDataset dataset, Content c, String key) throws IOException {
        String did = dataset.id() + ":" + ++nextDid.get(dataset)[0];
        String image = c.scene() == null ? null : images.path(dataset.stem() + "_images", c.scene(), c.variant());
        pool.add(new MbeirCandidate(did, c.text(), image, c.modality(), null, null), key);
        return did;
    }

    private void addDistractors(TaskSource source) throws IOException {
        EvalTask task = source.task();
        Random r = random(task.name() + "/distractors");
        List<Content> bank = new ArrayList<>();
        for (int i = 0; i < size.imageBank; i++) {
            bank.add(source.distractor(r));
        }
        List<String> poolNames = task.mbeirDataset() == MbeirDataset.MSCOCO
                ? List.of(poolName(task, MbeirLayout.VAL), poolName(task, MbeirLayout.TEST)) : List.of(poolName(task, MbeirLayout.TEST));
        for (String name : poolNames) {
            CandidatePool pool = pools.get(name);
            for (int i = 0; i < size.distractors; i++) {
                Content c = bank.isEmpty() ? source.distractor(r) : bank.get(r.nextInt(bank.size()));
                if (bank.isEmpty()) {
                    intern(pool, task.mbeirDataset(), c);
                } else {
                    add(pool, task.mbeirDataset(), c, null); // scale filler: repeats of the bank, each its own did
                }
            }
        }
    }

    private void writeFiles() throws IOException {
        SynthInstructions.instructions().write(layout.instructions());
        Map<String, MbeirCandidate> unionVal = new LinkedHashMap<>();
        Map<String, MbeirCandidate> unionTest = new LinkedHashMap<>();
        for (EvalTask task : EvalTask.ALL) {
            for (String split : List.of(MbeirLayout.VAL, MbeirLayout.TEST)) {
                List<MbeirQuery> qs = queries.get(split + "/" + task.name());
                Jsonl.write(layout.queries(split, task), qs, MbeirQuery::toJson);
                Qrels.write(layout.qrels(split, task), qs);
                List<MbeirCandidate> pool = pools.get(poolName(task, split)).candidates();
                Jsonl.write(layout.localPool(task, split), pool, MbeirCandidate::toJson);
                Map<String, MbeirCandidate> union = split.equals(MbeirLayout.VAL) ? unionVal : unionTest;
                pool.forEach(c -> union.putIfAbsent(c.did(), c));
            }
            Qrels.write(layout.qrels(MbeirLayout.TRAIN, task), queries.get(MbeirLayout.TRAIN + "/" + task.name()));
        }
        List<MbeirQuery> unionTrain = new ArrayList<>();
        for (MbeirDataset d : MbeirDataset.values()) {
            List<MbeirQuery> own = new ArrayList<>();
            for (EvalTask t : EvalTask.ALL) {
                if (t.mbeirDataset() == d) {
                    own.addAll(queries.get(MbeirLayout.TRAIN + "/" + t.name()));
                }
            }
            Jsonl.write(layout.trainQueries(d), own, MbeirQuery::toJson);
            unionTrain.addAll(own);
        }
        Collections.shuffle(unionTrain, random("union_train"));
        Jsonl.write(layout.unionTrainQueries(), unionTrain, MbeirQuery::toJson);
        List<MbeirQuery> unionValQueries = new ArrayList<>();
        EvalTask.ALL.forEach(t -> unionValQueries.addAll(queries.get(MbeirLayout.VAL + "/" + t.name())));
        Jsonl.write(layout.unionValQueries(), unionValQueries, MbeirQuery::toJson);
        Jsonl.write(layout.unionPool(MbeirLayout.TRAIN), pools.get(MbeirLayout.TRAIN).candidates(), MbeirCandidate::toJson);
        Jsonl.write(layout.unionPool(MbeirLayout.VAL), unionVal.values(), MbeirCandidate::toJson);
        Jsonl.write(layout.unionPool(MbeirLayout.TEST), unionTest.values(), MbeirCandidate::toJson);
        writePairs();
    }

    /** Stage-1 paraphrase pairs and stage-2 caption-image pairs. */
    private void writePairs() throws IOException {
        Random r = random("pairs");
        List<ObjectNode> text = new ArrayList<>();
        List<ObjectNode> captioned = new ArrayList<>();
        for (int i = 0; i < size.pairs; i++) {
            Scene s = Scene.random(r, 1, 3);
            text.add(TrainingPairs.pair(Phrases.scene(s, r), null, Phrases.scene(s, r), null));
            Scene c = Scene.random(r, 1, 3);
            captioned.add(TrainingPairs.pair(Phrases.scene(c, r), null, null, images.path("pairs_images", c, 0)));
        }
        Jsonl.write(layout.textPairs(), text, n -> n);
        Jsonl.write(layout.captionImagePairs(), captioned, n -> n);
    }

    private ObjectNode writeManifest() throws IOException {
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("generator", "M-BEIR-synth");
        m.put("version", VERSION);
        m.put("seed", seed);
        m.put("size", size.label());
        int trainQueries = EvalTask.ALL.stream().mapToInt(t -> queries.get(MbeirLayout.TRAIN + "/" + t.name()).size()).sum();
        m.put("train_queries", trainQueries);
        m.put("planted_false_negatives", planted);
        m.put("false_negative_rate", trainQueries == 0 ? 0 : (double) planted / trainQueries);
        m.put("images", images.written());
        ObjectNode tasks = m.putObject("tasks");
        for (EvalTask t : EvalTask.ALL) {
            ObjectNode n = tasks.putObject(t.name());
            for (String split : SPLITS) {
                n.put(split + "_queries", queries.get(split + "/" + t.name()).size());
            }
            n.put("test_pool", pools.get(poolName(t, MbeirLayout.TEST)).candidates().size());
        }
        m.put("train_pool", pools.get(MbeirLayout.TRAIN).candidates().size());
        AtomicWriter.write(layout.root().resolve(MANIFEST), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n");
        return m;
    }
}
