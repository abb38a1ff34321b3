package dev.umarvel.cli;

import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.Hit;
import dev.umarvel.api.v1.Image;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchFilter;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.api.v1.SearchResponse;
import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.eval.QueryInput;
import dev.umarvel.mbeir.eval.Retriever;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The orchestrator's Search as an evaluator's retriever: each query sent as a client would send it
 * (instruction, text, image by store path), local scope as a filter on the task's pool label, global
 * scope unfiltered; several in flight at once; each call's latency and the mode that ran recorded.
 */
final class ServiceRetriever implements Retriever, AutoCloseable {

    /** What one mode's searches cost: every call's client-side latency (nanoseconds), and how many were reranked. */
    static final class Latencies {
        final List<Long> nanos = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger reranked = new AtomicInteger();
        final AtomicInteger degraded = new AtomicInteger();

        double percentileMillis(double p) {
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            return sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1)) / 1e6;
        }
    }

    /**
     * One local-scope answer: the task and query asked, the ranked dids, and the gap between the first two scores
     * (infinite with fewer than two hits).
     */
    record Answer(EvalTask task, MbeirQuery query, List<String> dids, double margin) {}

    private final RetrievalGrpc.RetrievalBlockingStub stub;
    private final String collection;
    private final String dataDir;
    private final SearchMode mode;
    private final ServiceEvaluation.Searches searches;
    private final ExecutorService pool;
    private final List<String> globalPools;
    final Latencies latencies = new Latencies();
    /** Each local-scope query's answer, by {@link #key}. */
    final java.util.Map<String, Answer> localAnswers = new java.util.concurrent.ConcurrentHashMap<>();

    /** A query's key among the answers: its task and qid (a qid is only unique within its dataset's files). */
    static String key(EvalTask task, String qid) {
        return task.name() + " " + qid;
    }

    /** {@code dataDir}: the dataset's directory relative to the orchestrator's store (image paths are resolved against it). */
    ServiceRetriever(RetrievalGrpc.RetrievalBlockingStub stub, String collection, String dataDir, List<String> globalPools,
            SearchMode mode, ServiceEvaluation.Searches searches) {
        this.globalPools = globalPools;
        this.stub = stub;
        this.collection = collection;
        this.dataDir = dataDir;
        this.mode = mode;
        this.searches = searches;
        this.pool = Executors.newFixedThreadPool(searches.concurrency());
    }

    @Override
    public List<List<String>> rank(EvalTask task, List<QueryInput> queries, Scope scope, int k) throws Exception {
        List<Future<List<String>>> answers = new ArrayList<>();
        for (QueryInput q : queries) {
            SearchRequest.Builder r = SearchRequest.newBuilder().setCollection(collection).setQuery(query(q)).setTopK(k).setMode(mode)
                    .setRecallK(searches.recallK()) // below k, the orchestrator reranks the head and keeps the retriever's order after it
                    .setTask(task.name()); // the server's fusion weight for the task, where it has one
            if (mode == SearchMode.SEARCH_MODE_AUTO && searches.autoMargins() != null) {
                r.setAutoMargin(searches.autoMargins().margin(task.name()));
            }
            // the global scope is the evaluator's: the union of the split's local pools, not the whole collection (which may
            // also hold the training pool Distill recalls its teacher lists from)
            r.setFilter(scope == Scope.LOCAL ? SearchFilter.newBuilder().addPools(task.name()) : SearchFilter.newBuilder().addAllPools(globalPools));
            SearchRequest request = r.build();
            answers.add(pool.submit(() -> {
                long start = System.nanoTime();
                SearchResponse response = stub.search(request);
                latencies.nanos.add(System.nanoTime() - start);
                if (response.getModeRun() == SearchMode.SEARCH_MODE_CASCADE) {
                    latencies.reranked.incrementAndGet();
                }
                if (response.getDegraded()) {
                    latencies.degraded.incrementAndGet();
                }
                List<String> dids = response.getHitsList().stream().map(Hit::getDid).toList();
                if (scope == Scope.LOCAL) {
                    double margin = response.getHitsCount() < 2 ? Double.POSITIVE_INFINITY
                            : response.getHits(0).getRecallScore() - response.getHits(1).getRecallScore();
                    localAnswers.put(key(task, q.query().qid()), new Answer(task, q.query(), dids, margin));
                }
                return dids;
            }));
        }
        List<List<String>> out = new ArrayList<>(answers.size());
        for (Future<List<String>> a : answers) {
            out.add(a.get());
        }
        return out;
    }

    private Query query(QueryInput in) {
        MbeirQuery q = in.query();
        Content.Builder content = Content.newBuilder();
        if (q.queryModality().hasText() && q.queryTxt() != null) {
            content.setText(dev.umarvel.mbeir.TextNormalizer.format(q.queryTxt())); // M-BEIR's format_string, as in process
        }
        if (q.queryModality().hasImage() && q.queryImgPath() != null) {
            content.setImage(Image.newBuilder().setStorePath(dataDir + "/" + q.queryImgPath()));
        }
        return Query.newBuilder().setInstruction(in.instruction() == null ? "" : in.instruction()).setContent(content).setQid(q.qid())
                .build();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
