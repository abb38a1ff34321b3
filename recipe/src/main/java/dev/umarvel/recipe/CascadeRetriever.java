package dev.umarvel.recipe;

import dev.umarvel.mbeir.EvalTask;
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

/**
 * Recall then rerank, in process: the embedder's top {@code recallK} are rescored by the YES/NO
 * reranker and ranked by cos + w * P(Yes) (the released evaluation's fusion; w = 0.1 by default).
 */
public final class CascadeRetriever implements Retriever {

    private final EmbeddingRetriever recall;
    private final Inference reranker;
    private final ImageLoader images;
    private final int recallK;
    private final double weight;

    public CascadeRetriever(EmbeddingRetriever recall, Inference reranker, ImageLoader images, int recallK, double weight) {
        this.recall = recall;
        this.reranker = reranker;
        this.images = images;
        this.recallK = recallK;
        this.weight = weight;
    }

    private record Fused(String did, double score) {}

    @Override
    public List<List<String>> rank(EvalTask task, List<QueryInput> queries, Scope scope, int k) throws Exception {
        List<List<EmbeddingRetriever.Scored>> recalled = recall.rankScored(task, queries, scope, Math.max(k, recallK));
        List<List<String>> out = new ArrayList<>(queries.size());
        for (int i = 0; i < queries.size(); i++) {
            QueryInput q = queries.get(i);
            Item query = images.query(q.instruction(), Side.of(q.query()));
            List<EmbeddingRetriever.Scored> top = recalled.get(i);
            int n = Math.min(recallK, top.size());
            List<RerankPair> pairs = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                pairs.add(new RerankPair(query, images.candidate(Side.of(recall.candidate(top.get(j).did())))));
            }
            float[] pYes = reranker.score(pairs, true).probabilityYes();
            List<Fused> fused = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                fused.add(new Fused(top.get(j).did(), top.get(j).score() + weight * pYes[j]));
            }
            fused.sort(Comparator.comparingDouble(Fused::score).reversed());
            List<String> ranked = new ArrayList<>(top.size());
            fused.forEach(f -> ranked.add(f.did()));
            top.subList(n, top.size()).forEach(s -> ranked.add(s.did())); // beyond recallK: recall order
            out.add(ranked);
        }
        return out;
    }
}
