package dev.umarvel.mbeir.eval;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Retrieval by exact search over embeddings: each local pool is embedded once, and the global pool
 * is the union of the local pools of the split (as LamRA and U-MARVEL evaluate it).
 */
public final class EmbeddingRetriever implements Retriever {

    /** Embedded candidates: their dids, in row order, and their vectors. */
    private record Index(List<String> dids, Matrix vectors) {}

    /** A retrieved candidate and its cosine score. */
    public record Scored(String did, float score) {}

    private final MbeirLayout layout;
    private final Encoder encoder;
    private final String split;
    private final int batchSize;
    private final int threads;
    private final Consumer<String> progress;
    private final Map<Path, Index> local = new HashMap<>();
    private final Map<String, MbeirCandidate> candidates = new HashMap<>();
    private Index global;

    public EmbeddingRetriever(MbeirLayout layout, Encoder encoder, String split, int batchSize, int threads,
            Consumer<String> progress) {
        this.layout = layout;
        this.encoder = encoder;
        this.split = split;
        this.batchSize = batchSize;
        this.threads = threads;
        this.progress = progress;
    }

    @Override
    public List<List<String>> rank(EvalTask task, List<QueryInput> queries, Scope scope, int k) throws Exception {
        return rankScored(task, queries, scope, k).stream().map(row -> row.stream().map(Scored::did).toList()).toList();
    }

    /** As {@link #rank}, with each candidate's cosine. */
    public List<List<Scored>> rankScored(EvalTask task, List<QueryInput> queries, Scope scope, int k) throws Exception {
        Index index = scope == Scope.LOCAL ? localIndex(layout.localPool(task, split)) : globalIndex();
        Matrix q = embedQueries(queries);
        ExactSearch.TopK top = ExactSearch.search(q, index.vectors(), k, threads);
        List<List<Scored>> out = new ArrayList<>(queries.size());
        for (int r = 0; r < top.indices().length; r++) {
            List<Scored> row = new ArrayList<>(top.indices()[r].length);
            for (int i = 0; i < top.indices()[r].length; i++) {
                row.add(new Scored(index.dids().get(top.indices()[r][i]), top.scores()[r][i]));
            }
            out.add(row);
        }
        return out;
    }

    /** A candidate of a pool this retriever has loaded. */
    public MbeirCandidate candidate(String did) {
        return candidates.get(did);
    }

    private Matrix embedQueries(List<QueryInput> queries) throws Exception {
        List<float[]> rows = new ArrayList<>(queries.size());
        for (int i = 0; i < queries.size(); i += batchSize) {
            for (float[] v : encoder.queries(queries.subList(i, Math.min(queries.size(), i + batchSize)))) {
                rows.add(v);
            }
        }
        return Matrix.of(rows.toArray(new float[0][]));
    }

    private Index localIndex(Path pool) throws Exception {
        Index cached = local.get(pool);
        if (cached != null) {
            return cached;
        }
        List<MbeirCandidate> pooled = read(pool);
        pooled.forEach(c -> candidates.put(c.did(), c));
        progress.accept("embedding " + pooled.size() + " candidates of " + pool.getFileName());
        List<float[]> rows = new ArrayList<>(pooled.size());
        for (int i = 0; i < pooled.size(); i += batchSize) {
            for (float[] v : encoder.candidates(pooled.subList(i, Math.min(pooled.size(), i + batchSize)))) {
                rows.add(v);
            }
        }
        Index index = new Index(pooled.stream().map(MbeirCandidate::did).toList(), Matrix.of(rows.toArray(new float[0][])));
        local.put(pool, index);
        return index;
    }

    private Index globalIndex() throws Exception {
        if (global != null) {
            return global;
        }
        LinkedHashMap<String, Integer> seen = new LinkedHashMap<>();
        List<String> dids = new ArrayList<>();
        Matrix vectors = null;
        for (EvalTask task : layout.tasks(split)) {
            Index idx = localIndex(layout.localPool(task, split));
            List<Integer> keep = new ArrayList<>();
            for (int i = 0; i < idx.dids().size(); i++) {
                if (seen.putIfAbsent(idx.dids().get(i), seen.size()) == null) {
                    keep.add(i);
                    dids.add(idx.dids().get(i));
                }
            }
            Matrix part = idx.vectors().rows(keep);
            vectors = vectors == null ? part : vectors.append(part);
        }
        global = new Index(dids, vectors);
        return global;
    }

    private static List<MbeirCandidate> read(Path pool) throws IOException {
        try (Stream<MbeirCandidate> lines = Jsonl.candidates(pool)) {
            return lines.toList();
        }
    }
}
