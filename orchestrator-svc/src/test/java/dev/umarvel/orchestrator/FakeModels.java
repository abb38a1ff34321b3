package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.EmbedRequest;
import dev.umarvel.api.v1.EmbedResponse;
import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.Embedding;
import dev.umarvel.api.v1.GetModelInfoRequest;
import dev.umarvel.api.v1.GetModelInfoResponse;
import dev.umarvel.api.v1.ModelInfo;
import dev.umarvel.api.v1.RerankRequest;
import dev.umarvel.api.v1.RerankResponse;
import dev.umarvel.api.v1.RerankScore;
import dev.umarvel.api.v1.RerankerGrpc;
import dev.umarvel.index.FakeMilvus;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Embedder and reranker services with known answers, served over real gRPC for the orchestrator's
 * tests (plus a fake Milvus): an item's vector is the normalised sum of its words' seeded random
 * vectors, P(Yes) is the Jaccard overlap of query and candidate words. Tests switch the model
 * version, take the reranker down or make it slow.
 */
public class FakeModels implements QuarkusTestResourceLifecycleManager {

    static final int DIMENSION = 32;
    static volatile String version = "fake-v1";
    static volatile boolean rerankerDown;
    static volatile long rerankerDelayMillis;
    static final AtomicInteger rerankCalls = new AtomicInteger();
    static FakeMilvus milvus;
    private Server embedder;
    private Server reranker;

    static Set<String> words(Content c) {
        Set<String> w = new HashSet<>();
        for (String t : c.getText().toLowerCase().split("[^a-z0-9]+")) {
            if (!t.isEmpty()) {
                w.add(t);
            }
        }
        if (c.hasImage()) {
            w.add("image:" + (c.getImage().hasData() ? c.getImage().getData().hashCode() : c.getImage().getStorePath()));
        }
        return w;
    }

    static float[] vector(Content c) {
        double[] sum = new double[DIMENSION];
        for (String w : words(c)) {
            Random r = new Random(w.hashCode());
            for (int i = 0; i < DIMENSION; i++) {
                sum[i] += r.nextGaussian();
            }
        }
        double norm = 0;
        for (double x : sum) {
            norm += x * x;
        }
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) (sum[i] / Math.sqrt(norm));
        }
        return v;
    }

    static float pYes(Content query, Content candidate) {
        Set<String> q = words(query);
        Set<String> c = words(candidate);
        Set<String> both = new HashSet<>(q);
        both.retainAll(c);
        Set<String> either = new HashSet<>(q);
        either.addAll(c);
        return either.isEmpty() ? 0 : (float) both.size() / either.size();
    }

    static final class Embedder extends EmbedderGrpc.EmbedderImplBase {
        @Override
        public void getModelInfo(GetModelInfoRequest request, StreamObserver<GetModelInfoResponse> out) {
            out.onNext(GetModelInfoResponse.newBuilder().setModel(ModelInfo.newBuilder().setVersion(version).setDimension(DIMENSION)).build());
            out.onCompleted();
        }

        @Override
        public void embed(EmbedRequest request, StreamObserver<EmbedResponse> out) {
            EmbedResponse.Builder b = EmbedResponse.newBuilder().setModelVersion(version);
            for (int i = 0; i < request.getItemsCount(); i++) {
                EmbedItem item = request.getItems(i);
                Content c = item.hasQuery() ? item.getQuery().getContent() : item.getCandidate();
                if (c.getText().toLowerCase().startsWith("undecodable")) { // as the real embedder names a bad input
                    out.onError(Status.INVALID_ARGUMENT.withDescription("items[" + i + "].candidate.text: refused by the fake")
                            .asRuntimeException());
                    return;
                }
                Embedding.Builder e = Embedding.newBuilder();
                for (float x : vector(c)) {
                    e.addValues(x);
                }
                b.addEmbeddings(e);
            }
            out.onNext(b.build());
            out.onCompleted();
        }
    }

    static final class Reranker extends RerankerGrpc.RerankerImplBase {
        @Override
        public void rerank(RerankRequest request, StreamObserver<RerankResponse> out) {
            rerankCalls.incrementAndGet();
            if (rerankerDown) {
                out.onError(Status.UNAVAILABLE.withDescription("the fake reranker is down").asRuntimeException());
                return;
            }
            try {
                Thread.sleep(rerankerDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            RerankResponse.Builder b = RerankResponse.newBuilder().setModelVersion("fake-reranker");
            for (Content c : request.getCandidatesList()) {
                b.addScores(RerankScore.newBuilder().setPYes(pYes(request.getQuery().getContent(), c)));
            }
            out.onNext(b.build());
            out.onCompleted();
        }
    }

    @Override
    public Map<String, String> start() {
        try {
            embedder = ServerBuilder.forPort(0).addService(new Embedder()).build().start();
            reranker = ServerBuilder.forPort(0).addService(new Reranker()).build().start();
            milvus = new FakeMilvus();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        // in test mode Quarkus points gRPC clients at the app itself unless a test port is given
        return Map.of("quarkus.grpc.clients.embedder.test-port", String.valueOf(embedder.getPort()),
                "quarkus.grpc.clients.reranker.test-port", String.valueOf(reranker.getPort()),
                "umarvel.milvus.uri", milvus.uri());
    }

    @Override
    public void stop() {
        embedder.shutdownNow();
        reranker.shutdownNow();
        try {
            milvus.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
