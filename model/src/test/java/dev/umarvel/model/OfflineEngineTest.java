package dev.umarvel.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OfflineEngineTest {

    @Test
    void pytorchRunsFromTheJarWithDownloadsForbidden() {
        assertEquals("true", System.getProperty("ai.djl.offline"), "surefire must forbid downloads");

        Engine engine = OfflineEngine.pytorch();
        assertEquals(OfflineEngine.PYTORCH, engine.getEngineName());
        assertTrue(engine.getVersion().startsWith("2.7.1"), "engine version " + engine.getVersion());

        try (NDManager manager = engine.newBaseManager()) {
            NDArray a = manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray b = manager.create(new float[] {5, 6, 7, 8}, new Shape(2, 2));
            // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]
            assertArrayEquals(new float[] {19, 22, 43, 50}, a.matMul(b).toFloatArray(), 0f);
        }
    }

    @Test
    void theNativeLibraryWasUnpackedFromTheNativeJarOnTheClasspath() throws Exception {
        OfflineEngine.pytorch();
        // the native jar on the classpath (pytorch-native-cpu here, a CUDA one in the gpu image) names its build in
        // native/lib/pytorch.properties; DJL unpacks it into "<version>-<flavour>-<classifier>". A library DJL had
        // downloaded instead would sit in a directory of another build, and none may be downloaded (ai.djl.offline).
        java.util.Properties jar = new java.util.Properties();
        try (var in = OfflineEngineTest.class.getClassLoader().getResourceAsStream("native/lib/pytorch.properties")) {
            assertTrue(in != null, "no pytorch native jar on the classpath");
            jar.load(in);
        }
        String expected = jar.getProperty("version") + "-" + jar.getProperty("flavor") + "-" + jar.getProperty("classifier");
        assertTrue(expected.startsWith("2.7.1-"), expected);
        Path cache = Path.of(System.getProperty("ENGINE_CACHE_DIR",
                System.getenv().getOrDefault("ENGINE_CACHE_DIR",
                        Path.of(System.getProperty("user.home"), ".djl.ai").toString())), "pytorch");
        Path unpacked = cache.resolve(expected);
        for (String library : jar.getProperty("libraries").split(",")) {
            assertTrue(Files.isRegularFile(unpacked.resolve(library)), "expected " + library + " under " + unpacked);
        }
    }
}
