package dev.umarvel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Milvus backend through the real SDK against the in-process fake speaking Milvus' service definition. */
class MilvusIndexTest extends VectorIndexContract {

    static FakeMilvus milvus;
    static MilvusClientV2 client;

    @BeforeAll
    static void start() throws IOException {
        milvus = new FakeMilvus();
        client = new MilvusClientV2(ConnectConfig.builder().uri(milvus.uri()).build());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        client.close();
        milvus.close();
    }

    /** The fake answers a search exactly (FakeMilvusSearch). */
    @Override
    boolean searchesExactly() {
        return true;
    }

    /** One collection per test directory, so reopening finds what the test wrote. */
    @Override
    VectorIndex open(Path dir, int dimension) throws Exception {
        return MilvusIndex.open(client, "c" + Integer.toHexString(dir.toString().hashCode()), dimension, MilvusIndex.Options.defaults());
    }

    @Test
    void theCollectionIsBuiltWithHnswAndTheConfiguredMetric() throws Exception {
        try (VectorIndex index = MilvusIndex.open(client, "built", 8, MilvusIndex.Options.defaults())) {
            assertEquals("HNSW", milvus.indexParams("built").get("index_type"));
            assertEquals("IP", milvus.indexParams("built").get("metric_type"));
            assertEquals("16", milvus.indexParams("built").get("M"));
            assertTrue(((MilvusIndex) index).loaded());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MilvusIndex.open(client, "built", 16, MilvusIndex.Options.defaults()));
        assertTrue(e.getMessage().startsWith("dimension: collection built holds 8-d vectors"), e.getMessage());
    }

    @Test
    void anAliasSwapsReadersToTheNewCollectionAtOnce() throws Exception {
        List<VectorIndex.Entry> old = entries(40, 8, 11);
        List<VectorIndex.Entry> fresh = entries(40, 8, 12);
        try (MilvusIndex a = MilvusIndex.open(client, "pool_v1", 8, MilvusIndex.Options.defaults());
                MilvusIndex b = MilvusIndex.open(client, "pool_v2", 8, MilvusIndex.Options.defaults())) {
            a.upsert(old);
            b.upsert(fresh);
        }
        MilvusIndex.pointAlias(client, "pool", "pool_v1");
        try (MilvusIndex live = MilvusIndex.open(client, "pool", 8, MilvusIndex.Options.defaults())) {
            float[] q = fresh.get(3).vector();
            assertEquals(exact(old, q, 5), live.search(q, 5, VectorIndex.Filter.NONE).stream().map(VectorIndex.Hit::did).toList());
            MilvusIndex.pointAlias(client, "pool", "pool_v2"); // the re-index is done: one call moves every reader
            assertEquals("pool_v2", MilvusIndex.resolve(client, "pool"));
            assertEquals(exact(fresh, q, 5), live.search(q, 5, VectorIndex.Filter.NONE).stream().map(VectorIndex.Hit::did).toList());
            MilvusIndex.drop(client, "pool_v1");
            assertEquals(40, live.size());
            assertThrows(IOException.class, () -> MilvusIndex.drop(client, "pool"), "an alias is not dropped as a collection");
        }
    }

    @Test
    void quotesInDidsAndPoolsCannotChangeTheExpression() throws Exception {
        Random r = new Random(3);
        try (VectorIndex index = MilvusIndex.open(client, "quoted", 8, MilvusIndex.Options.defaults())) {
            index.upsert(List.of(new VectorIndex.Entry("a\"] || did in [\"b", random(r, 8), 0, "text", List.of("p\"1")),
                    new VectorIndex.Entry("b", random(r, 8), 0, "text", List.of("p1")),
                    new VectorIndex.Entry("c\\", random(r, 8), 0, "text", List.of("p\\"))));
            assertEquals(List.of("a\"] || did in [\"b"), index.search(random(r, 8), 5, VectorIndex.Filter.pool("p\"1")).stream()
                    .map(VectorIndex.Hit::did).toList());
            assertEquals(List.of("c\\"), index.search(random(r, 8), 5, VectorIndex.Filter.pool("p\\")).stream().map(VectorIndex.Hit::did)
                    .toList());
            index.delete(List.of("a\"] || did in [\"b"));
            assertEquals(2, index.size(), "only the quoted did went");
        }
    }

    @Test
    void aMissingCollectionIsAnIoError() throws Exception {
        MilvusIndex gone = MilvusIndex.open(client, "gone", 8, MilvusIndex.Options.defaults());
        MilvusIndex.drop(client, "gone");
        IOException e = assertThrows(IOException.class, () -> gone.search(new float[] {1, 0, 0, 0, 0, 0, 0, 0}, 3, VectorIndex.Filter.NONE));
        assertTrue(e.getMessage().contains("gone"), e.getMessage());
    }
}
