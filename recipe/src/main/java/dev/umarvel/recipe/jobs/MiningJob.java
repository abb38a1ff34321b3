package dev.umarvel.recipe.jobs;

import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.eval.ExactSearch;
import dev.umarvel.mbeir.eval.Matrix;
import dev.umarvel.model.Inference;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobSpec;
import dev.umarvel.recipe.data.HardNegativeFile;
import dev.umarvel.recipe.data.ImageLoader;
import dev.umarvel.mbeir.TrainingSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MINE_HARD_NEGATIVES (u-marvel.md section 5): embed every training query and the training pool
 * with the stage-3 model, take each query's top n by exact search, drop labelled positives and
 * candidates above the similarity threshold (likely false negatives; no threshold reproduces the
 * released code), keep the first k.
 */
public final class MiningJob {

    private MiningJob() {}

    public static Path run(JobContext ctx, JobSpec spec) throws Exception {
        JobSpec.Mining mining = spec.mining();
        try (Inference model = Inference.load(ctx.resolve("init_checkpoint", spec.initCheckpoint()))) {
            TrainingSet set = Sources.trainingSet(ctx, spec);
            ImageLoader images = new ImageLoader(Sources.datasetRoot(ctx, spec), model.config().imageSize());
            List<MbeirQuery> queries = set.queries();
            List<MbeirCandidate> pool = new ArrayList<>(set.pool().values());
            pool.sort(java.util.Comparator.comparing(MbeirCandidate::did)); // a stable order whatever the map's
            Matrix q = Embedding.queries(ctx, model, set, queries, images, spec.seed());
            Matrix c = Embedding.candidates(ctx, model, pool, images);
            int threads = Runtime.getRuntime().availableProcessors();
            List<HardNegativeFile.Entry> entries = new ArrayList<>();
            long filtered = 0;
            if (mining.localPool()) {
                // each query searches the candidates of its own dataset and target modality
                Map<String, List<Integer>> groups = new LinkedHashMap<>();
                for (int i = 0; i < queries.size(); i++) {
                    groups.computeIfAbsent(group(set, queries.get(i)), g -> new ArrayList<>()).add(i);
                }
                for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
                    List<Integer> members = new ArrayList<>();
                    for (int j = 0; j < pool.size(); j++) {
                        if (group(pool.get(j)).equals(g.getKey())) {
                            members.add(j);
                        }
                    }
                    ExactSearch.TopK top = ExactSearch.search(q.rows(g.getValue()), c.rows(members), mining.topN(), threads);
                    for (int r = 0; r < g.getValue().size(); r++) {
                        int[] global = new int[top.indices()[r].length];
                        for (int x = 0; x < global.length; x++) {
                            global[x] = members.get(top.indices()[r][x]);
                        }
                        filtered += add(entries, queries.get(g.getValue().get(r)), pool, global, top.scores()[r], mining);
                    }
                }
            } else {
                ExactSearch.TopK top = ExactSearch.search(q, c, mining.topN(), threads);
                for (int i = 0; i < queries.size(); i++) {
                    filtered += add(entries, queries.get(i), pool, top.indices()[i], top.scores()[i], mining);
                }
            }
            Path out = ctx.output().resolve("hard_negatives.jsonl");
            HardNegativeFile.write(out, entries);
            ctx.listener().log(String.format("mined %d queries: top %d, k %d, threshold %s, %d candidates filtered as likely false negatives",
                    entries.size(), mining.topN(), mining.k(), mining.similarityThreshold() == null ? "none" : mining.similarityThreshold(),
                    filtered));
            return out;
        }
    }

    private static String group(TrainingSet set, MbeirQuery q) {
        return q.datasetId() + "/" + set.pool().get(q.posCandList().get(0)).modality();
    }

    private static String group(MbeirCandidate c) {
        return c.datasetId() + "/" + c.modality();
    }

    /** Appends one query's entry; returns how many candidates the threshold filtered. */
    private static int add(List<HardNegativeFile.Entry> entries, MbeirQuery q, List<MbeirCandidate> pool, int[] top, float[] scores,
            JobSpec.Mining mining) {
        Set<String> positives = new HashSet<>(q.posCandList());
        List<String> topDocs = new ArrayList<>();
        List<Float> topScores = new ArrayList<>();
        List<String> hard = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (int r = 0; r < top.length; r++) {
            String did = pool.get(top[r]).did();
            topDocs.add(did);
            topScores.add(scores[r]);
            if (positives.contains(did)) {
                continue;
            }
            if (mining.similarityThreshold() != null && scores[r] > mining.similarityThreshold()) {
                dropped.add(did);
                continue;
            }
            if (hard.size() < mining.k()) {
                hard.add(did);
            }
        }
        entries.add(new HardNegativeFile.Entry(q.qid(), q.posCandList(), topDocs, topScores, hard, dropped));
        return dropped.size();
    }
}
