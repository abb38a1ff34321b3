package dev.umarvel.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.RerankerGrpc;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.TrainerGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RpcScopesTest {

    @Test
    void everyRpcOfTheContractHasAScope() {
        for (ServiceDescriptor s : List.of(RetrievalGrpc.getServiceDescriptor(), EmbedderGrpc.getServiceDescriptor(),
                RerankerGrpc.getServiceDescriptor(), TrainerGrpc.getServiceDescriptor())) {
            for (MethodDescriptor<?, ?> m : s.getMethods()) {
                assertTrue(RpcScopes.required(m.getFullMethodName()).isPresent(), m.getFullMethodName() + " has no scope");
            }
        }
    }

    @Test
    void readsNeedSearchChangesNeedAdminJobsNeedTrain() {
        assertEquals(Optional.of(Set.of(Scope.SEARCH)), RpcScopes.required("umarvel.v1.Retrieval/Search"));
        assertEquals(Optional.of(Set.of(Scope.ADMIN)), RpcScopes.required("umarvel.v1.Retrieval/DropCollection"));
        assertEquals(Optional.of(Set.of(Scope.ADMIN, Scope.TRAIN)), RpcScopes.required("umarvel.v1.Retrieval/Distill"));
        assertEquals(Optional.of(Set.of(Scope.ADMIN)), RpcScopes.required("umarvel.v1.Embedder/LoadModel"));
        assertEquals(Optional.of(Set.of(Scope.TRAIN)), RpcScopes.required("umarvel.v1.Trainer/StartJob"));
        assertEquals(Optional.empty(), RpcScopes.required("umarvel.v1.Retrieval/Unknown"));
        assertTrue(RpcScopes.open("grpc.health.v1.Health/Check"));
    }
}
