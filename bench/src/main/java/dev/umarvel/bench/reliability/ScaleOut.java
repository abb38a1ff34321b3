package dev.umarvel.bench.reliability;

import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DescribeCollectionRequest;
import dev.umarvel.api.v1.DistillEvent;
import dev.umarvel.api.v1.DistillPhase;
import dev.umarvel.api.v1.DistillRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.GetModelInfoRequest;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.IndexBackend;
import dev.umarvel.api.v1.PhaseStatus;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.api.v1.SearchResponse;
import dev.umarvel.index.FakeMilvus;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The deployment scaled out, as issue 21 asks: two replicas of the embedder and of the reranker, two orchestrators
 * over one store and one Milvus. How the searches' model calls spread over the replicas (each replica's own batch
 * count), a kill -9 of one replica of each during cascade load, and a Distill run on one orchestrator that the other
 * serves afterwards.
 */
final class ScaleOut {

    /** The collection both orchestrators search: on Milvus, as replicas of the orchestrator need. */
    static final String SHARED = "reliability_shared";

    /** What the load saw: answers reranked, answers degraded, searches failed (and why). */
    record Tally(AtomicInteger reranked, AtomicInteger degraded, AtomicInteger failed, Set<String> reasons) {
        Tally() {
            this(new AtomicInteger(), new AtomicInteger(), new AtomicInteger(), java.util.Collections.synchronizedSet(new TreeSet<>()));
        }

        void answered(SearchResponse s) {
            (s.getDegraded() ? degraded : reranked).incrementAndGet();
            if (s.getDegraded()) {
                reasons.add(s.getDegradedReason().replaceAll("[0-9]+", "N"));
            }
        }

        void failed(RuntimeException e) {
            failed.incrementAndGet();
            reasons.add("FAILED " + Status.fromThrowable(e).getCode() + " " + Status.fromThrowable(e).getDescription());
        }
    }

    private final Deployment d;
    private final String collection;

    ScaleOut(Deployment d, String collection) {
        this.d = d;
        this.collection = collection;
    }

    /** Both checks, on one in-process Milvus server; the deployment is left at two replicas of each service. */
    List<Faults.Finding> run(String dataset, String testPool) throws Exception {
        try (FakeMilvus milvus = new FakeMilvus()) {
            d.milvusUri = milvus.uri();
            return List.of(replicasShareTheLoadAndSurviveAKill(), aDistillOnOneOrchestratorIsServedByBoth(dataset, testPool));
        }
    }

    /**
     * Starts a second embedder and reranker, restarts the orchestrator over both, runs cascade searches from four
     * clients, and kills one replica of each once 60 searches were answered; stops 60 answers after the kill.
     */
    Faults.Finding replicasShareTheLoadAndSurviveAKill() throws Exception {
        d.start("embedder-2");
        d.start("reranker-2");
        d.replicas.put("embedder", List.of("embedder", "embedder-2"));
        d.replicas.put("reranker", List.of("reranker", "reranker-2"));
        d.kill("orchestrator");
        d.start("orchestrator");
        var r = d.retrieval();
        double[] embedBefore = batches("embedder", "embedder-2");
        double[] rerankBefore = batches("reranker", "reranker-2");
        Tally t = new Tally();
        // ordered by what the clients observe: the kill after 60 answers, the stop 60 answers after it (bounded waits)
        CountDownLatch beforeKill = new CountDownLatch(60);
        CountDownLatch afterKill = new CountDownLatch(60);
        AtomicBoolean killed = new AtomicBoolean();
        double[] embedAtKill;
        double[] rerankAtKill;
        int answeredAtKill;
        try (SearchLoad load = new SearchLoad(4, n -> r.search(Queries.search(collection, n).setMode(SearchMode.SEARCH_MODE_CASCADE)
                .setRecallK(20).build()), s -> {
                    t.answered(s);
                    (killed.get() ? afterKill : beforeKill).countDown();
                }, e -> {
                    t.failed(e);
                    (killed.get() ? afterKill : beforeKill).countDown();
                })) {
            beforeKill.await(5, TimeUnit.MINUTES);
            embedAtKill = batches("embedder", "embedder-2");
            rerankAtKill = batches("reranker", "reranker-2");
            answeredAtKill = t.reranked().get() + t.degraded().get() + t.failed().get();
            d.kill("embedder-2");
            d.kill("reranker");
            killed.set(true);
            afterKill.await(5, TimeUnit.MINUTES);
        }
        double embedShare = share(embedBefore, embedAtKill);
        double rerankShare = share(rerankBefore, rerankAtKill);
        int answered = t.reranked().get() + t.degraded().get();
        boolean spread = embedShare >= 0.3 && embedShare <= 0.7 && rerankShare >= 0.3 && rerankShare <= 0.7;
        boolean pass = spread && t.failed().get() == 0 && answered > answeredAtKill && d.alive("orchestrator");
        d.start("embedder-2"); // back to two of each for the next check
        d.start("reranker");
        return new Faults.Finding("one of two replicas of the embedder and of the reranker killed during cascade load",
                "each replica serves 30-70 % of its service's batches; no failed search",
                String.format("before the kill, embedder batches %.0f / %.0f (%.0f %% on the first), reranker batches %.0f / %.0f (%.0f %%); "
                        + "%d searches answered before the kill, %d after it (%d reranked, %d degraded and flagged), %d failed%s",
                        embedAtKill[0] - embedBefore[0], embedAtKill[1] - embedBefore[1], 100 * embedShare, rerankAtKill[0] - rerankBefore[0],
                        rerankAtKill[1] - rerankBefore[1], 100 * rerankShare, answeredAtKill, answered - answeredAtKill, t.reranked().get(),
                        t.degraded().get(), t.failed().get(), t.reasons().isEmpty() ? "" : "; " + t.reasons()), pass);
    }

    /**
     * A second orchestrator on the same store and Milvus; a collection on Milvus written through the first; searches on
     * the second from two clients while a Distill run on the first trains, rolls its model out to both embedder replicas,
     * re-indexes and swaps. The second must answer throughout, and with the new model once the swap is done.
     */
    Faults.Finding aDistillOnOneOrchestratorIsServedByBoth(String dataset, String testPool) throws Exception {
        d.start("orchestrator-2");
        var one = d.retrieval();
        var two = RetrievalGrpc.newBlockingStub(d.channel("orchestrator-2", d.admin));
        one.dropCollection(DropCollectionRequest.newBuilder().setName(SHARED).setIfExists(true).build());
        one.createCollection(CreateCollectionRequest.newBuilder().setName(SHARED).setBackend(IndexBackend.INDEX_BACKEND_MILVUS).build());
        String trainPool = testPool.replace("_test_", "_train_");
        for (String[] pool : new String[][] {{testPool, "global"}, {trainPool, "train"}}) {
            one.importPool(ImportPoolRequest.newBuilder().setCollection(SHARED).setPoolPath(pool[0]).addPools(pool[1]).setImageRoot(dataset)
                    .build()).forEachRemaining(p -> { });
        }
        String before = two.describeCollection(DescribeCollectionRequest.newBuilder().setName(SHARED).build()).getModelVersion();
        AtomicReference<String> after = new AtomicReference<>();
        AtomicLong swappedAt = new AtomicLong();
        AtomicLong firstNewAt = new AtomicLong();
        Map<String, AtomicInteger> answeredBy = new ConcurrentHashMap<>();
        Tally t = new Tally();
        CountDownLatch newOnTwo = new CountDownLatch(20);
        try (SearchLoad load = new SearchLoad(2, n -> two.search(Queries.search(SHARED, n).build()), s -> {
            answeredBy.computeIfAbsent(s.getModelVersion(), x -> new AtomicInteger()).incrementAndGet();
            if (s.getModelVersion().equals(after.get())) {
                firstNewAt.compareAndSet(0, System.nanoTime());
                newOnTwo.countDown();
            }
        }, t::failed)) {
            DistillEvent last = null;
            Iterator<DistillEvent> events = one.distill(DistillRequest.newBuilder().setCollection(SHARED).setDatasetDir(dataset).setSampleFraction(0.5)
                    .setRecallK(20).setEvalQueriesPerTask(2).setHyper(HyperParameters.newBuilder().setMaxSteps(20).setBatchSize(8)).setSeed(1).build());
            while (events.hasNext()) {
                last = events.next();
                if (last.getPhase() == DistillPhase.DISTILL_PHASE_ALIAS_SWAP && last.getStatus() == PhaseStatus.PHASE_STATUS_DONE) {
                    after.set(last.getCollection().getModelVersion());
                    swappedAt.set(System.nanoTime());
                }
            }
            boolean swapped = after.get() != null;
            boolean seen = swapped && newOnTwo.await(2, TimeUnit.MINUTES);
            List<String> served = new ArrayList<>();
            for (String e : List.of("embedder", "embedder-2")) {
                served.add(EmbedderGrpc.newBlockingStub(d.channel(e, d.admin)).getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel().getVersion());
            }
            double lag = seen ? (firstNewAt.get() - swappedAt.get()) / 1e9 : Double.NaN;
            boolean bothServe = swapped && served.stream().allMatch(after.get()::equals);
            boolean pass = swapped && !after.get().equals(before) && seen && lag <= 5 && bothServe && t.failed().get() == 0;
            return new Faults.Finding("a Distill run on one of two orchestrators, searched on the other throughout",
                    "the swap is seen by the other orchestrator within 5 s; both embedder replicas serve the new model; no failed search",
                    String.format("model %s -> %s; the second orchestrator answered with the new model %.2f s after the first swapped; embedder "
                            + "replicas serve %s; answers by model %s, %d failed%s; last event %s %s", before, after.get(), lag, served, answeredBy,
                            t.failed().get(), t.reasons().isEmpty() ? "" : " " + t.reasons(), last == null ? "none" : last.getPhase(),
                            last == null ? "" : last.getStatus()), pass);
        } finally {
            // its Milvus lives only as long as this check: the store keeps no record of a collection nobody can reach
            one.dropCollection(DropCollectionRequest.newBuilder().setName(SHARED).setIfExists(true).build());
        }
    }

    /** Each replica's model batches so far, by its own metrics. */
    private double[] batches(String... replicas) throws Exception {
        double[] b = new double[replicas.length];
        for (int i = 0; i < replicas.length; i++) {
            b[i] = d.service(replicas[i]).metric("umarvel_batch_compute_seconds_count");
        }
        return b;
    }

    /** The first replica's share of the batches run between two readings. */
    private static double share(double[] before, double[] after) {
        double first = after[0] - before[0];
        double second = after[1] - before[1];
        return first + second == 0 ? 0 : first / (first + second);
    }
}
