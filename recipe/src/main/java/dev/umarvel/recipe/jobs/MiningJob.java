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
 * with the stage-3 model, take each query's top n by exact search, drop labelled positives and likely
 * false negatives, keep the first k. A likely false negative scores above a fraction (0.95) of the
 * query's own positive's score (positive-aware, as NV-Retriever's filter: a planted copy of the positive
 * scores what the positive scores, however low) or, when set, above the paper's absolute threshold;
 * neither reproduces the released code. An option, the copy rule, drops only what is embedded within a cosine
 * of a positive (docs/training.md measured it). When most of the lists are filtered away, the embeddings have
 * likely collapsed, and the job says so.
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
            int[][] positiveRows = positiveRows(queries, pool);
            float[] positive = positiveScores(positiveRows, q, c);
            Copies copies = new Copies(c, positiveRows, mining.copyCosine());
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
                        int i = g.getValue().get(r);
                        filtered += add(entries, queries.get(i), pool, global, top.scores()[r], positive[i], copies.of(i), mining);
                    }
                }
            } else {
                ExactSearch.TopK top = ExactSearch.search(q, c, mining.topN(), threads);
                for (int i = 0; i < queries.size(); i++) {
                    filtered += add(entries, queries.get(i), pool, top.indices()[i], top.scores()[i], positive[i], copies.of(i), mining);
                }
            }
            Path out = ctx.output().resolve("hard_negatives.jsonl");
            HardNegativeFile.write(out, entries);
            long listed = entries.stream().mapToLong(e -> e.topDocs().size()).sum();
            ctx.listener().log(String.format("mined %d queries: top %d, k %d, positive fraction %s, threshold %s, %d of %d listed "
                    + "candidates filtered as likely false negatives", entries.size(), mining.topN(), mining.k(),
                    mining.positiveFraction() > 0 ? mining.positiveFraction() : "off",
                    mining.similarityThreshold() == null ? "none" : mining.similarityThreshold(), filtered, listed));
            if (listed > 0 && filtered > listed / 2) {
                ctx.listener().warning("false_negatives", String.format("%.1f %% of the top lists scored as likely false negatives: the model this "
                        + "job mined with ranks most candidates near or above each query's own positive, so it has not learned to separate "
                        + "them (or its embeddings collapsed); the hard negatives left are few", 100.0 * filtered / listed));
            }
            return out;
        }
    }

    private static String group(TrainingSet set, MbeirQuery q) {
        return q.datasetId() + "/" + set.pool().get(q.posCandList().get(0)).modality();
    }

    private static String group(MbeirCandidate c) {
        return c.datasetId() + "/" + c.modality();
    }

    /** The pool rows of each query's labelled positives (those the pool holds). */
    private static int[][] positiveRows(List<MbeirQuery> queries, List<MbeirCandidate> pool) {
        Map<String, Integer> row = new java.util.HashMap<>();
        for (int j = 0; j < pool.size(); j++) {
            row.put(pool.get(j).did(), j);
        }
        int[][] out = new int[queries.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = queries.get(i).posCandList().stream().map(row::get).filter(java.util.Objects::nonNull).mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /** Each query's best score among its labelled positives (the cosine of the positive it is closest to). */
    private static float[] positiveScores(int[][] positiveRows, Matrix q, Matrix c) {
        float[] out = new float[positiveRows.length];
        for (int i = 0; i < out.length; i++) {
            float best = Float.NEGATIVE_INFINITY;
            for (int j : positiveRows[i]) {
                best = Math.max(best, dot(q, i, c, j));
            }
            out[i] = best;
        }
        return out;
    }

    private static float dot(Matrix a, int i, Matrix b, int j) {
        float dot = 0;
        for (int d = 0; d < a.dim(); d++) {
            dot += a.data()[i * a.dim() + d] * b.data()[j * b.dim() + d];
        }
        return dot;
    }

    /**
     * The copy rule: a candidate whose embedding is within {@code cosine} of one of the query's positives' is that positive
     * again (a planted or real duplicate), wherever the query ranks the two. Unlike the rules on the query's scores it keeps
     * the candidates an early model ranks above a positive it ranks low: those are its mistakes, the negatives it learns from.
     */
    record Copies(Matrix pool, int[][] positiveRows, double cosine) {
        /** Whether pool row {@code row} copies one of query {@code query}'s positives; never, with the rule off. */
        java.util.function.IntPredicate of(int query) {
            if (cosine <= 0) {
                return row -> false;
            }
            return row -> java.util.Arrays.stream(positiveRows[query]).anyMatch(p -> dot(pool, row, pool, p) > cosine);
        }
    }

    /** Whether a negative scoring {@code score} is likely another positive of a query whose positive scores {@code positive}. */
    static boolean likelyFalseNegative(float score, float positive, JobSpec.Mining mining) {
        if (mining.similarityThreshold() != null && score > mining.similarityThreshold()) {
            return true;
        }
        if (mining.positiveFraction() <= 0 || positive == Float.NEGATIVE_INFINITY) {
            return false;
        }
        // a fraction of a negative score would be above it: then only what beats the positive itself is dropped
        return score > (positive > 0 ? mining.positiveFraction() * positive : positive);
    }

    /** Appends one query's entry; returns how many candidates were filtered as likely false negatives. */
    private static int add(List<HardNegativeFile.Entry> entries, MbeirQuery q, List<MbeirCandidate> pool, int[] top, float[] scores,
            float positive, java.util.function.IntPredicate copy, JobSpec.Mining mining) {
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
            if (likelyFalseNegative(scores[r], positive, mining) || copy.test(top[r])) {
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
