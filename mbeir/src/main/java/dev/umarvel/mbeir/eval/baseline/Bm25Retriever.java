package dev.umarvel.mbeir.eval.baseline;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.eval.QueryInput;
import dev.umarvel.mbeir.eval.Retriever;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Okapi BM25 (k1 1.2, b 0.75) of the query's text against each candidate's text, nothing trained: the
 * baseline a text retriever must beat. The instruction is left out and images are ignored; candidates
 * without text score 0, and equal scores are ordered at random (seeded per query), so a query without
 * text ranks by chance rather than by the pool's file order.
 */
public final class Bm25Retriever implements Retriever {

    static final Pattern WORDS = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final double K1 = 1.2;
    private static final double B = 0.75;

    /** One pool's inverted index. */
    private record Index(List<String> dids, Map<String, int[][]> postings, int[] lengths, double meanLength) {}

    private final Pools pools;
    private final Map<List<MbeirCandidate>, Index> indexes = new java.util.IdentityHashMap<>();

    public Bm25Retriever(Pools pools) {
        this.pools = pools;
    }

    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        if (text != null) {
            Matcher m = WORDS.matcher(text.toLowerCase(Locale.ROOT));
            while (m.find()) {
                out.add(m.group());
            }
        }
        return out;
    }

    @Override
    public List<List<String>> rank(EvalTask task, List<QueryInput> queries, Scope scope, int k) {
        Index index = indexes.computeIfAbsent(pools.of(task, scope), Bm25Retriever::build);
        List<List<String>> out = new ArrayList<>(queries.size());
        for (QueryInput q : queries) {
            out.add(Ranking.top(scores(index, words(q.query().queryTxt())), index.dids(), k, new Random(q.query().qid().hashCode())));
        }
        return out;
    }

    private static Index build(List<MbeirCandidate> pool) {
        Map<String, List<int[]>> postings = new LinkedHashMap<>();
        int[] lengths = new int[pool.size()];
        long total = 0;
        for (int d = 0; d < pool.size(); d++) {
            List<String> w = words(pool.get(d).txt());
            lengths[d] = w.size();
            total += w.size();
            Map<String, Integer> tf = new HashMap<>();
            w.forEach(t -> tf.merge(t, 1, Integer::sum));
            int doc = d;
            tf.forEach((t, n) -> postings.computeIfAbsent(t, x -> new ArrayList<>()).add(new int[] {doc, n}));
        }
        Map<String, int[][]> compact = new HashMap<>();
        postings.forEach((t, list) -> compact.put(t, list.toArray(new int[0][])));
        return new Index(pool.stream().map(MbeirCandidate::did).toList(), compact, lengths,
                pool.isEmpty() ? 0 : (double) total / pool.size());
    }

    private static double[] scores(Index index, List<String> query) {
        double[] s = new double[index.dids().size()];
        int n = s.length;
        for (String term : query) {
            int[][] postings = index.postings().get(term);
            if (postings == null) {
                continue;
            }
            double idf = Math.log(1 + (n - postings.length + 0.5) / (postings.length + 0.5));
            for (int[] p : postings) {
                double tf = p[1];
                double norm = K1 * (1 - B + B * index.lengths()[p[0]] / Math.max(index.meanLength(), 1e-9));
                s[p[0]] += idf * tf * (K1 + 1) / (tf + norm);
            }
        }
        return s;
    }
}
