package dev.umarvel.recipe;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.TeacherFile;
import dev.umarvel.mbeir.eval.EmbeddingRetriever;
import dev.umarvel.mbeir.eval.QueryInput;
import dev.umarvel.mbeir.eval.Retriever;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.model.RerankPair;
import dev.umarvel.recipe.data.ImageLoader;
import dev.umarvel.recipe.data.Side;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recall then rerank, in process: the embedder's top {@code recallK} are rescored by the YES/NO
 * reranker and ranked by cos + w * P(Yes) (the released evaluation's fusion; w = 0.1 by default), or by P(Yes) alone
 * (then cos) when w is infinite. Each pair's P(Yes) is kept, so the same cascade at another weight
 * ({@link #withWeight}) or over the global pool after the local one asks the reranker only for pairs it has not scored.
 */
public final class CascadeRetriever implements Retriever {

    private final EmbeddingRetriever recall;
    private final Inference reranker;
    private final ImageLoader images;
    private final int recallK;
    private final double weight;
    /** P(Yes) by query id, instruction and candidate did ({@link #key}), shared by every weight of one cascade. */
    private final Map<String, Float> scored;

    public CascadeRetriever(EmbeddingRetriever recall, Inference reranker, ImageLoader images, int recallK, double weight) {
        this(recall, reranker, images, recallK, weight, new ConcurrentHashMap<>());
    }

    private CascadeRetriever(EmbeddingRetriever recall, Inference reranker, ImageLoader images, int recallK, double weight,
            Map<String, Float> scored) {
        this.recall = recall;
        this.reranker = reranker;
        this.images = images;
        this.recallK = recallK;
        this.weight = weight;
        this.scored = scored;
    }

    /** The same cascade ranked at another fusion weight, on the reranker scores this one has computed. */
    public CascadeRetriever withWeight(double w) {
        return new CascadeRetriever(recall, reranker, images, recallK, w, scored);
    }

    private record Fused(String did, double cos, double pYes) {}

    @Override
    public List<List<String>> rank(EvalTask task, List<QueryInput> queries, Scope scope, int k) throws Exception {
        List<List<EmbeddingRetriever.Scored>> recalled = recall.rankScored(task, queries, scope, Math.max(k, recallK));
        // a stable sort of the recalled order: ties (every one, at an infinite weight, between equal P(Yes)) keep the retriever's
        Comparator<Fused> order = Comparator.comparingDouble((Fused f) -> TeacherFile.Scored.cascadeScore(f.cos(), f.pYes(), weight))
                .reversed();
        List<List<String>> out = new ArrayList<>(queries.size());
        for (int i = 0; i < queries.size(); i++) {
            List<EmbeddingRetriever.Scored> top = recalled.get(i);
            int n = Math.min(recallK, top.size());
            float[] pYes = probabilityYes(queries.get(i), top.subList(0, n));
            List<Fused> fused = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                fused.add(new Fused(top.get(j).did(), top.get(j).score(), pYes[j]));
            }
            fused.sort(order);
            List<String> ranked = new ArrayList<>(top.size());
            fused.forEach(f -> ranked.add(f.did()));
            top.subList(n, top.size()).forEach(s -> ranked.add(s.did())); // beyond recallK: recall order
            out.add(ranked);
        }
        return out;
    }

    /** P(Yes) of each candidate for the query: kept scores, and one reranker call for the pairs not scored yet. */
    private float[] probabilityYes(QueryInput q, List<EmbeddingRetriever.Scored> candidates) throws Exception {
        float[] pYes = new float[candidates.size()];
        List<Integer> missing = new ArrayList<>();
        for (int j = 0; j < candidates.size(); j++) {
            Float kept = scored.get(key(q, candidates.get(j).did()));
            if (kept == null) {
                missing.add(j);
            } else {
                pYes[j] = kept;
            }
        }
        if (!missing.isEmpty()) {
            Item query = images.query(q.instruction(), Side.of(q.query()));
            List<RerankPair> pairs = new ArrayList<>(missing.size());
            for (int j : missing) {
                pairs.add(new RerankPair(query, images.candidate(Side.of(recall.candidate(candidates.get(j).did())))));
            }
            float[] fresh = reranker.score(pairs, true).probabilityYes();
            for (int m = 0; m < missing.size(); m++) {
                int j = missing.get(m);
                pYes[j] = fresh[m];
                scored.put(key(q, candidates.get(j).did()), fresh[m]);
            }
        }
        return pYes;
    }

    /** A query's instruction is part of the pair: the same qid under another instruction is another pair. */
    private static String key(QueryInput q, String did) {
        return q.query().qid() + '\u0000' + q.instruction() + '\u0000' + did;
    }
}
