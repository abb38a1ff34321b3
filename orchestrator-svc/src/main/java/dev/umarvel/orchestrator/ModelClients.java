package dev.umarvel.orchestrator;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.EmbedRequest;
import dev.umarvel.api.v1.EmbedResponse;
import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.GetModelInfoRequest;
import dev.umarvel.api.v1.LoadModelRequest;
import dev.umarvel.api.v1.LoadModelResponse;
import dev.umarvel.api.v1.ModelInfo;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RerankRequest;
import dev.umarvel.api.v1.RerankResponse;
import dev.umarvel.api.v1.RerankerGrpc;
import dev.umarvel.api.v1.TrainerGrpc;
import dev.umarvel.security.ChannelTls;
import dev.umarvel.security.ClientTokenInterceptor;
import dev.umarvel.security.TlsConfig;
import dev.umarvel.security.TlsMode;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.grpc.GrpcClient;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The embedder, reranker and trainer services, called over gRPC with the caller's deadline passed on (a
 * search that must answer in 200 ms does not let its embedding call wait a second). The embedder and reranker
 * may run as several replicas ({@code umarvel.models.*}): each call goes to one of them in turn, and a model
 * rollout reaches every one and is checked on every one.
 */
@ApplicationScoped
public class ModelClients {

    private static final int MAX_MESSAGE_BYTES = 64 << 20;

    @GrpcClient("trainer")
    TrainerGrpc.TrainerBlockingStub trainer;

    @Inject
    OrchestratorConfig config;

    @Inject
    TlsConfig tls;

    @Inject
    ClientTokenInterceptor token;

    @Inject
    MeterRegistry registry;

    private ExecutorService rollouts;
    private ScheduledExecutorService resolver;
    private Replicas embedders;
    private Replicas rerankers;

    @PostConstruct
    void open() {
        rollouts = Executors.newCachedThreadPool(
            new ThreadFactoryBuilder().setNameFormat("model-rollout").setDaemon(true).build());
        embedders = new Replicas("embedder", config.models().embedder(), e -> channel("embedder", e), registry, rollouts);
        rerankers = new Replicas("reranker", config.models().reranker(), e -> channel("reranker", e), registry, rollouts);
        long every = config.models().resolveEvery().toMillis();
        resolver = Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat("model-replicas").setDaemon(true).build());
        resolver.scheduleWithFixedDelay(() -> {
            embedders.resolve();
            rerankers.resolve();
        }, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void close() {
        resolver.shutdownNow();
        rollouts.shutdownNow();
        embedders.close();
        rerankers.close();
    }

    /** The embedder's loaded model, as one replica answers (FAILED_PRECONDITION from it when none is). */
    public ModelInfo embedderModel() {
        return embedders.call(c -> withCallerDeadline(EmbedderGrpc.newBlockingStub(c)).getModelInfo(GetModelInfoRequest.getDefaultInstance()))
                .getModel();
    }

    /** Vectors of the model {@code modelVersion} (a collection's: in service, or retained during a re-index). */
    public EmbedResponse embed(List<EmbedItem> items, String modelVersion) {
        EmbedRequest r = EmbedRequest.newBuilder().addAllItems(items).setModelVersion(modelVersion).build();
        return embedders.call(c -> withCallerDeadline(EmbedderGrpc.newBlockingStub(c)).embed(r));
    }

    /** The {@code i}-th vector of an embedder's answer. */
    static float[] vector(EmbedResponse r, int i) {
        float[] v = new float[r.getEmbeddings(i).getValuesCount()];
        for (int j = 0; j < v.length; j++) {
            v[j] = r.getEmbeddings(i).getValues(j);
        }
        return v;
    }

    /** The model each embedder replica serves, in replica order. */
    public List<ModelInfo> embedderModels() {
        return List.copyOf(modelsOf(embedders).values());
    }

    /**
     * Swaps the model of every embedder replica (with {@code retainPrevious} the old one keeps answering requests that
     * name its version), then checks that every replica serves the new version.
     */
    public LoadModelResponse loadEmbedder(String checkpointPath, boolean retainPrevious) {
        return rollout(embedders, checkpointPath, retainPrevious);
    }

    /** Puts {@code version} (from {@code checkpointPath}) back in service on each embedder replica that serves another. */
    public void restoreEmbedder(String version, String checkpointPath) {
        LoadModelRequest load = LoadModelRequest.newBuilder().setCheckpointPath(checkpointPath).setRetainPrevious(true).build();
        embedders.each(c -> {
            EmbedderGrpc.EmbedderBlockingStub stub = EmbedderGrpc.newBlockingStub(c);
            return stub.getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel().getVersion().equals(version) ? null : stub.loadModel(load);
        });
    }

    /**
     * LoadModel on every replica at once, then GetModelInfo on every one: a replica that failed to load, or serves
     * another version afterwards, fails the rollout, named in the status. A replica already serving the checkpoint (moved
     * by an earlier rollout that failed elsewhere) is left as it is: loading it again would retain the new model twice
     * and drop the old one that searches still name.
     */
    static LoadModelResponse rollout(Replicas embedders, String checkpointPath, boolean retainPrevious) {
        LoadModelRequest load = LoadModelRequest.newBuilder().setCheckpointPath(checkpointPath).setRetainPrevious(retainPrevious).build();
        Map<String, LoadModelResponse> loaded = embedders.each(c -> {
            EmbedderGrpc.EmbedderBlockingStub stub = EmbedderGrpc.newBlockingStub(c);
            ModelInfo now = stub.getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel();
            return now.getCheckpointPath().equals(checkpointPath) ? LoadModelResponse.newBuilder().setCurrent(now).build() : stub.loadModel(load);
        });
        LoadModelResponse first = loaded.values().iterator().next();
        String version = first.getCurrent().getVersion();
        for (Map.Entry<String, ModelInfo> replica : modelsOf(embedders).entrySet()) {
            if (!replica.getValue().getVersion().equals(version)) {
                throw Status.FAILED_PRECONDITION.withDescription("rollout of " + checkpointPath + ": embedder replica " + replica.getKey()
                        + " serves " + replica.getValue().getVersion() + ", not " + version).asRuntimeException();
            }
        }
        return first;
    }

    private static Map<String, ModelInfo> modelsOf(Replicas embedders) {
        return embedders.each(c -> EmbedderGrpc.newBlockingStub(c).getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel());
    }

    /** The trainer (its calls are long: no caller deadline is passed on). */
    public TrainerGrpc.TrainerBlockingStub trainer() {
        return trainer;
    }

    /** P(Yes) for each candidate; {@code timeoutNanos} caps the call below the caller's own deadline. */
    public RerankResponse rerank(Query query, List<Content> candidates, long timeoutNanos) {
        RerankRequest r = RerankRequest.newBuilder().setQuery(query).addAllCandidates(candidates).build();
        // one cap for the whole call, hand-overs to another replica included
        Deadline cap = Deadline.after(timeoutNanos, TimeUnit.NANOSECONDS);
        return rerankers.call(c -> {
            RerankerGrpc.RerankerBlockingStub stub = withCallerDeadline(RerankerGrpc.newBlockingStub(c));
            if (stub.getCallOptions().getDeadline() == null || cap.isBefore(stub.getCallOptions().getDeadline())) {
                stub = stub.withDeadline(cap);
            }
            return stub.rerank(r);
        });
    }

    /** A replica's channel: TLS when umarvel.tls secures this client, the service's token on every call. */
    private ManagedChannel channel(String service, Replicas.Endpoint e) {
        NettyChannelBuilder b = e.socket() == null ? NettyChannelBuilder.forTarget(e.address())
                : NettyChannelBuilder.forAddress(e.socket()).overrideAuthority(e.authority());
        b.maxInboundMessageSize(MAX_MESSAGE_BYTES).intercept(token);
        if (tls.mode() != TlsMode.OFF && tls.clients().contains(service)) {
            ChannelTls.secure(b, tls);
        } else {
            b.usePlaintext();
        }
        return b.build();
    }


    private static <S extends io.grpc.stub.AbstractStub<S>> S withCallerDeadline(S stub) {
        Deadline d = Context.current().getDeadline();
        return d == null ? stub : stub.withDeadline(d);
    }
}
