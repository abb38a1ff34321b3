package dev.umarvel.orchestrator;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.index.FakeMilvus;
import io.grpc.Status;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.utility.request.DropAliasReq;
import io.grpc.StatusRuntimeException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two orchestrator replicas over one store and one Milvus (each a {@link Collections} of its own, as two processes
 * have): a swap, a drop, a Distill's hold and its write block made by one are seen by the other, and concurrent
 * record writes lose nothing.
 */
class SharedRecordsTest {

    @TempDir
    Path store;

    private FakeMilvus milvus;
    private final List<Collections> replicas = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        milvus = new FakeMilvus();
    }

    @AfterEach
    void stop() throws Exception {
        for (Collections c : replicas) {
            c.close();
        }
        milvus.close();
    }

    /** A replica that checks its cached records against the store at most every {@code refresh}. */
    private Collections replica(String refresh) {
        OrchestratorConfig config = new SmallRyeConfigBuilder().withMapping(OrchestratorConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter()) // "1s", as Quarkus reads it
                .withSources(new PropertiesConfigSource(Map.of("umarvel.store", store.toString(), "umarvel.milvus.uri", milvus.uri(),
                        "umarvel.index.record-refresh", refresh), "test", 100))
                .build().getConfigMapping(OrchestratorConfig.class);
        Collections c = new Collections(config);
        replicas.add(c);
        return c;
    }

    private static CollectionRecord create(Collections c) throws Exception {
        return c.create("shared", "", OrchestratorConfig.Backend.MILVUS, "COSINE", new Collections.Hnsw(16, 64, 0, false), "m1", 4);
    }

    @Test
    void aSwapOnOneReplicaIsSeenByAnotherAtItsNextCheck() throws Exception {
        Collections a = replica("0s");
        Collections b = replica("0s");
        Collections cached = replica("1h");
        create(a);
        assertEquals("m1", b.describe("shared").modelVersion());
        assertEquals("m1", cached.describe("shared").modelVersion());
        a.staged("shared", 2);
        a.swap("shared", 2, "m2");
        CollectionRecord seen = b.describe("shared");
        assertEquals(List.of("m2", 2), List.of(seen.modelVersion(), seen.indexVersion()));
        assertEquals("m1", cached.describe("shared").modelVersion(), "within its refresh a replica answers from memory");
    }

    @Test
    void aDropOnOneReplicaIsSeenByAnother() throws Exception {
        Collections a = replica("0s");
        Collections b = replica("0s");
        create(a);
        b.describe("shared");
        assertTrue(a.drop("shared", false));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> b.describe("shared"));
        assertEquals("NOT_FOUND: collection: no collection named shared", e.getMessage());
    }

    @Test
    void aDropSucceedsWhenMilvusLostTheCollection() throws Exception {
        Collections a = replica("0s");
        create(a);
        MilvusClientV2 other = new MilvusClientV2(ConnectConfig.builder().uri(milvus.uri()).build());
        try { // a Milvus that lost the collection (restored from an older backup, another cluster)
            other.dropAlias(DropAliasReq.builder().alias("shared").build());
            other.dropCollection(DropCollectionReq.builder().collectionName("shared_v1").build());
        } finally {
            other.close();
        }
        assertTrue(a.drop("shared", false));
        assertFalse(Files.exists(store.resolve("collections/shared")), "the record and its directory are gone");
    }

    @Test
    void recordWritesOfTwoReplicasLoseNothing() throws Exception {
        Collections a = replica("1h");
        Collections b = replica("1h");
        create(a);
        a.describe("shared"); // a's copy is now older than what b writes next
        b.notePools("shared", Set.of("left"));
        a.notePools("shared", Set.of("right"));
        assertEquals(Set.of("left", "right"), CollectionRecord.read(store.resolve("collections/shared")).pools());
    }

    @Test
    void aDistillHoldAndItsWriteBlockReachEveryReplica() throws Exception {
        Collections a = replica("1s");
        Collections b = replica("1s");
        create(a);
        assertTrue(a.hold("shared"));
        assertFalse(a.hold("shared"), "one run per collection in this process");
        assertFalse(b.hold("shared"), "nor on another replica");
        a.blockWrites("shared", true);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> b.requireWritable("shared"));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals("collection: a Distill run is re-indexing shared; writes are refused until its alias swap (retry then)",
                e.getStatus().getDescription());
        a.blockWrites("shared", false);
        assertDoesNotThrow(() -> b.requireWritable("shared"));
        a.release("shared");
        assertTrue(b.hold("shared"));
    }

    @Test
    void aLeaseItsHolderStoppedRenewingLapses() throws Exception {
        Collections a = replica("1s");
        Collections b = replica("1s");
        create(a);
        assertTrue(a.hold("shared"));
        Path lease = store.resolve("collections/shared/distill.lease");
        Files.setLastModifiedTime(lease, FileTime.fromMillis(System.currentTimeMillis() - RecordStore.LEASE.toMillis() - 1000));
        assertTrue(b.hold("shared"), "a holder that stopped renewing (killed) holds nothing");
    }
}
