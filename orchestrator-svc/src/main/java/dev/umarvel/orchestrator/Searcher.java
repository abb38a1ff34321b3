package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.DegradePolicy;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.EmbedResponse;
import dev.umarvel.api.v1.FusionRule;
import dev.umarvel.api.v1.Hit;
import dev.umarvel.api.v1.RerankResponse;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.api.v1.SearchResponse;
import dev.umarvel.api.v1.StageTiming;
import dev.umarvel.index.VectorIndex;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A search in three modes. SINGLE: embed, recall top_k. CASCADE: recall max(top_k, recall_k), rerank
 * the first recall_k with P(Yes), fuse, keep top_k; below top_k, recall_k reranks the head and the
 * hits after it keep the retriever's order (a cross-encoder that reads each pair whole can afford
 * ten pairs a query where fifty are shown). AUTO: like SINGLE unless the retriever is unsure (its
 * first two scores closer than the margin), then like CASCADE. A rerank that fails or runs out of
 * time degrades the answer to the retriever's ranking (flagged), or fails it, per the policy.
 */
@ApplicationScoped
public class Searcher {

    @Inject
    Collections collections;

    @Inject
    ModelClients models;

    @Inject
    OrchestratorConfig config;

    @Inject
    OrchestratorMetrics metrics;

    /** Refuses to start with a fusion weight that would rank nonsense (the same rule a request's own weight meets). */
    void checkWeights(@Observes StartupEvent start) {
        List<String> problems = invalidWeights(config.search().fusionWeight(), config.search().taskFusionWeights());
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid configuration: " + String.join("; ", problems));
        }
    }

    /** The server's fusion weights that are not numbers >= 0 (infinity is one: the reranker's order), each named by its property. */
    static List<String> invalidWeights(double fusionWeight, java.util.Map<String, Double> taskFusionWeights) {
        List<String> out = new ArrayList<>();
        if (!Requests.atLeastZero(fusionWeight)) {
            out.add("umarvel.search.fusion-weight: must be a number >= 0, got " + fusionWeight);
        }
        new java.util.TreeMap<>(taskFusionWeights).forEach((task, w) -> {
            if (!Requests.atLeastZero(w)) {
                out.add("umarvel.search.task-fusion-weights." + task + ": must be a number >= 0, got " + w);
            }
        });
        return out;
    }

    /** What a search runs against: a record (whose model embeds the query) and an index holding that model's vectors. */
    record Target(CollectionRecord record, VectorIndex index) {}

    /** A search of the collection's live index. */
    public SearchResponse search(SearchRequest r) throws IOException {
        Requests.search(r);
        return search(r, new Target(collections.describe(r.getCollection()), collections.index(r.getCollection())));
    }

    /** A search of a given index version (a Distill run evaluates the staged one before it goes live); the request is valid. */
    SearchResponse search(SearchRequest r, Target target) throws IOException {
        long start = System.nanoTime();
        SearchMode mode = r.getMode() == SearchMode.SEARCH_MODE_UNSPECIFIED ? SearchMode.valueOf("SEARCH_MODE_" + config.search().mode())
                : r.getMode();
        int topK = r.getTopK() == 0 ? 10 : r.getTopK();
        int recallK = r.getRecallK() == 0 ? Math.max(config.search().recallK(), topK) : r.getRecallK();
        CollectionRecord record = target.record();
        VectorIndex index = target.index();

        EmbedResponse embedded;
        try {
            embedded = models.embed(List.of(EmbedItem.newBuilder().setQuery(r.getQuery()).build()), record.modelVersion());
        } catch (StatusRuntimeException e) {
            throw Indexer.modelGone(record, e);
        }
        Indexer.requireModel(record, embedded.getModelVersion());
        float[] query = ModelClients.vector(embedded, 0);
        long embedDone = System.nanoTime();
        boolean single = mode == SearchMode.SEARCH_MODE_SINGLE;
        // content is read only where something needs it: the caller (include_content), or a cascade's reranker, with the hits
        // when the head it reranks is all that is recalled; AUTO reads the head's by did once it decides to rerank (most of
        // its queries are not), as does a CASCADE whose recall_k is below top_k
        boolean contentRead = r.getIncludeContent() || mode == SearchMode.SEARCH_MODE_CASCADE && recallK >= topK;
        List<VectorIndex.Hit> recalled = index.search(query, single ? topK : Math.max(topK, recallK), filter(r), contentRead);
        long recallDone = System.nanoTime();

        SearchResponse.Builder out = SearchResponse.newBuilder().setModelVersion(embedded.getModelVersion())
                .setIndexVersion(record.indexVersion());
        boolean rerank = mode == SearchMode.SEARCH_MODE_CASCADE;
        if (mode == SearchMode.SEARCH_MODE_AUTO && recalled.size() >= 2) {
            double margin = recalled.get(0).score() - recalled.get(1).score();
            out.setObservedMargin(margin);
            rerank = margin < (r.hasAutoMargin() ? r.getAutoMargin() : config.search().autoMargin());
        }
        float[] pYes = null;
        long rerankDone = recallDone;
        if (rerank && !recalled.isEmpty()) {
            try {
                pYes = rerank(r, recalled.subList(0, Math.min(recallK, recalled.size())), contentRead ? null : index);
            } catch (StatusRuntimeException e) {
                DegradePolicy policy = r.getDegradePolicy() == DegradePolicy.DEGRADE_POLICY_UNSPECIFIED
                        ? DegradePolicy.valueOf("DEGRADE_POLICY_" + config.search().degradePolicy()) : r.getDegradePolicy();
                if (policy == DegradePolicy.DEGRADE_POLICY_FAIL) {
                    throw e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED ? e
                            : Status.UNAVAILABLE.withDescription("reranker: " + e.getStatus().getDescription()).asRuntimeException();
                }
                out.setDegraded(true).setDegradedReason("reranker " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
                metrics.degraded(mode);
            }
            rerankDone = System.nanoTime();
        }
        List<Hit> hits = pYes == null ? single(recalled, topK, r.getIncludeContent()) : fuse(r, recalled, pYes, topK);
        out.addAllHits(hits).setModeRun(pYes == null ? SearchMode.SEARCH_MODE_SINGLE : SearchMode.SEARCH_MODE_CASCADE);
        long end = System.nanoTime();
        out.addTimings(timing("embed", embedDone - start)).addTimings(timing("recall", recallDone - embedDone));
        if (rerank) {
            out.addTimings(timing("rerank", rerankDone - recallDone)).addTimings(timing("fuse", end - rerankDone));
        }
        out.addTimings(timing("total", end - start));
        SearchResponse response = out.build();
        metrics.search(mode, response);
        return response;
    }

    /** P(Yes) of each of the {@code recalled} head; their content read from {@code index} by did when the search did not read it. */
    private float[] rerank(SearchRequest r, List<VectorIndex.Hit> recalled, VectorIndex index) throws IOException {
        java.util.Map<String, String> read = index == null ? null : index.contents(recalled.stream().map(VectorIndex.Hit::did).toList());
        List<Content> contents = new ArrayList<>(recalled.size());
        for (VectorIndex.Hit h : recalled) {
            // a candidate deleted since it was recalled is scored as empty content
            contents.add(CandidateCodec.decode(read == null ? h.content() : read.getOrDefault(h.did(), "")).getContent());
        }
        RerankResponse scores = models.rerank(r.getQuery(), contents, config.search().rerankTimeout().toNanos());
        float[] p = new float[recalled.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = scores.getScores(i).getPYes();
        }
        return p;
    }

    private static List<Hit> single(List<VectorIndex.Hit> recalled, int topK, boolean content) {
        List<Hit> hits = new ArrayList<>();
        for (int i = 0; i < Math.min(topK, recalled.size()); i++) {
            VectorIndex.Hit h = recalled.get(i);
            hits.add(hit(h, i, content).setRank(i + 1).setScore(h.score()).build());
        }
        return hits;
    }

    /**
     * The reranked head ({@code pYes.length} hits) by fused score, WEIGHTED_SUM cos + w P(Yes) or CONVEX alpha cos + (1 - alpha)
     * P(Yes) (whose default alpha = 1 / (1 + w) ranks alike), w the request's task's or the server's; an infinite w ranks by
     * P(Yes) alone, ties in the retriever's order, as the trainer's evaluation does (CascadeRetriever). Then the hits after
     * the head in the retriever's order, scored as recalled.
     */
    private List<Hit> fuse(SearchRequest r, List<VectorIndex.Hit> recalled, float[] pYes, int topK) {
        double w = config.search().taskFusionWeights().getOrDefault(r.getTask(), config.search().fusionWeight());
        boolean convex = r.getFusion().getRule() == FusionRule.FUSION_RULE_CONVEX;
        double weight = r.getFusion().hasWeight() ? r.getFusion().getWeight() : convex ? 1 / (1 + w) : w;
        List<Hit.Builder> fused = new ArrayList<>();
        for (int i = 0; i < pYes.length; i++) {
            VectorIndex.Hit h = recalled.get(i);
            double score = convex ? weight * h.score() + (1 - weight) * pYes[i]
                    : dev.umarvel.mbeir.TeacherFile.Scored.cascadeScore(h.score(), pYes[i], weight);
            fused.add(hit(h, i, r.getIncludeContent()).setRerankScore(pYes[i]).setScore((float) score));
        }
        fused.sort(Comparator.comparingDouble((Hit.Builder b) -> -b.getScore()).thenComparingInt(Hit.Builder::getRecallRank));
        for (int i = pYes.length; i < recalled.size(); i++) {
            fused.add(hit(recalled.get(i), i, r.getIncludeContent()).setScore(recalled.get(i).score()));
        }
        List<Hit> hits = new ArrayList<>();
        for (int i = 0; i < Math.min(topK, fused.size()); i++) {
            hits.add(fused.get(i).setRank(i + 1).build());
        }
        return hits;
    }

    private static Hit.Builder hit(VectorIndex.Hit h, int recallIndex, boolean content) {
        Hit.Builder b = Hit.newBuilder().setDid(h.did()).setRecallRank(recallIndex + 1).setRecallScore(h.score());
        if (content && !h.content().isEmpty()) {
            Candidate c = CandidateCodec.decode(h.content());
            b.setCandidate(c);
        }
        return b;
    }

    private static VectorIndex.Filter filter(SearchRequest r) {
        Set<String> modalities = r.getFilter().getModalitiesList().stream().map(Enum::name).collect(Collectors.toSet());
        return new VectorIndex.Filter(Set.copyOf(r.getFilter().getDatasetIdsList()), modalities, Set.copyOf(r.getFilter().getPoolsList()));
    }

    /** One stage's wall time as the contract reports it, in microseconds. */
    static StageTiming timing(String stage, long nanos) {
        return StageTiming.newBuilder().setStage(stage).setMicros(nanos / 1000).build();
    }
}
