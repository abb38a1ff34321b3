package dev.umarvel.index;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The same contract against a real Milvus when {@code MILVUS_URI} is set (and {@code MILVUS_TOKEN}
 * when it asks for one); skipped otherwise, and the skip is printed. Collections are named
 * {@code umarvel_it_*} and dropped after each test.
 */
class RealMilvusTest extends VectorIndexContract {

    static MilvusClientV2 client;
    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void connect() {
        String uri = System.getenv("MILVUS_URI");
        if (uri == null || uri.isBlank()) {
            System.out.println("SKIPPED RealMilvusTest: MILVUS_URI is not set (e.g. MILVUS_URI=http://localhost:19530 to run the Milvus "
                    + "backend's contract against a real server)");
        }
        Assumptions.assumeTrue(uri != null && !uri.isBlank(), "MILVUS_URI is not set");
        ConnectConfig.ConnectConfigBuilder config = ConnectConfig.builder().uri(uri);
        String token = System.getenv("MILVUS_TOKEN");
        if (token != null && !token.isBlank()) {
            config.token(token);
        }
        client = new MilvusClientV2(config.build());
    }

    @AfterAll
    static void disconnect() {
        if (client != null) {
            client.close();
        }
    }

    @AfterEach
    void dropWhatTheTestMade() throws Exception {
        for (String name : created) {
            MilvusIndex.drop(client, name);
        }
    }

    @Override
    VectorIndex open(Path dir, int dimension) throws Exception {
        String name = "umarvel_it_" + Integer.toHexString(dir.toString().hashCode());
        if (!created.contains(name)) {
            created.add(name);
        }
        return MilvusIndex.open(client, name, dimension, MilvusIndex.Options.defaults());
    }
}
