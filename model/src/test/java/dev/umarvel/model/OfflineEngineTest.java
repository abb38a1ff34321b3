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
    void theNativeLibraryWasUnpackedFromTheCpuJar() throws Exception {
        OfflineEngine.pytorch();
        // DJL unpacks the jar's native library into "<version>-<build date>-cpu-linux-x86_64";
        // a downloaded one would land in a directory named after its flavour ("cpu-precxx11", "cu12x").
        Path cache = Path.of(System.getProperty("ENGINE_CACHE_DIR",
                System.getenv().getOrDefault("ENGINE_CACHE_DIR",
                        Path.of(System.getProperty("user.home"), ".djl.ai").toString())), "pytorch");
        try (var dirs = Files.list(cache)) {
            assertTrue(dirs.anyMatch(d -> d.getFileName().toString().matches("2\\.7\\.1-\\d{8}-cpu-linux-x86_64")
                            && Files.isRegularFile(d.resolve("libtorch_cpu.so"))),
                    "expected 2.7.1-<date>-cpu-linux-x86_64/libtorch_cpu.so under " + cache);
        }
    }
}
