package dev.umarvel.security;

import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.RerankerGrpc;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.TrainerGrpc;
import io.grpc.MethodDescriptor;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The scopes each RPC of umarvel.v1 needs. An RPC missing here is refused to every token (a new RPC is closed
 * until it is given a scope; RpcScopesTest fails until then), health checks need none.
 */
public final class RpcScopes {

    private static final Map<String, Set<Scope>> REQUIRED = Map.ofEntries(
            entry(RetrievalGrpc.getSearchMethod(), Scope.SEARCH),
            entry(RetrievalGrpc.getDescribeCollectionMethod(), Scope.SEARCH),
            entry(RetrievalGrpc.getListCollectionsMethod(), Scope.SEARCH),
            entry(RetrievalGrpc.getCreateCollectionMethod(), Scope.ADMIN),
            entry(RetrievalGrpc.getDropCollectionMethod(), Scope.ADMIN),
            entry(RetrievalGrpc.getUpsertMethod(), Scope.ADMIN),
            entry(RetrievalGrpc.getDeleteMethod(), Scope.ADMIN),
            entry(RetrievalGrpc.getImportPoolMethod(), Scope.ADMIN),
            entry(RetrievalGrpc.getDistillMethod(), Scope.ADMIN, Scope.TRAIN), // it starts a training job
            entry(EmbedderGrpc.getEmbedMethod(), Scope.SEARCH),
            entry(EmbedderGrpc.getEmbedStreamMethod(), Scope.SEARCH),
            entry(EmbedderGrpc.getGetModelInfoMethod(), Scope.SEARCH),
            entry(EmbedderGrpc.getLoadModelMethod(), Scope.ADMIN),
            entry(RerankerGrpc.getRerankMethod(), Scope.SEARCH),
            entry(RerankerGrpc.getGetModelInfoMethod(), Scope.SEARCH),
            entry(RerankerGrpc.getLoadModelMethod(), Scope.ADMIN),
            entry(TrainerGrpc.getStartJobMethod(), Scope.TRAIN),
            entry(TrainerGrpc.getWatchJobMethod(), Scope.TRAIN),
            entry(TrainerGrpc.getGetJobMethod(), Scope.TRAIN),
            entry(TrainerGrpc.getCancelJobMethod(), Scope.TRAIN),
            entry(TrainerGrpc.getListJobsMethod(), Scope.TRAIN),
            entry(TrainerGrpc.getListCheckpointsMethod(), Scope.TRAIN));

    private RpcScopes() {
    }

    /** The scopes {@code fullMethodName} needs, all of them; empty for an RPC no token may call. */
    public static Optional<Set<Scope>> required(String fullMethodName) {
        return Optional.ofNullable(REQUIRED.get(fullMethodName));
    }

    /** Health checks answer anyone: probes and load balancers carry no token. */
    public static boolean open(String fullMethodName) {
        return fullMethodName.startsWith("grpc.health.v1.Health/");
    }

    /** Server reflection lists the contract (grpcurl): any valid token. */
    public static boolean anyToken(String fullMethodName) {
        return fullMethodName.startsWith("grpc.reflection.");
    }

    private static Map.Entry<String, Set<Scope>> entry(MethodDescriptor<?, ?> method, Scope... scopes) {
        return Map.entry(method.getFullMethodName(), Set.of(scopes));
    }
}
