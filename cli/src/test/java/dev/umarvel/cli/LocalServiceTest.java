package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalServiceTest {

    @Test
    void aServiceGetsOneMallocArenaThatKeepsFreedMemoryUnlessTheCallerSaysOtherwise() {
        Map<String, String> environment = new HashMap<>();
        LocalService.nativeEnvironment(environment);
        assertEquals(Map.of("OMP_WAIT_POLICY", "PASSIVE", "MALLOC_ARENA_MAX", "1", "MALLOC_TRIM_THRESHOLD_", "1073741824",
                "MALLOC_MMAP_THRESHOLD_", "33554432"), environment);

        Map<String, String> own = new HashMap<>(Map.of("MALLOC_ARENA_MAX", "4"));
        LocalService.nativeEnvironment(own);
        assertEquals("4", own.get("MALLOC_ARENA_MAX"), "an operator's own setting is kept");
        assertEquals("1073741824", own.get("MALLOC_TRIM_THRESHOLD_"));
    }

    @Test
    void theUmarvelScriptsOwnJvmGetsTheSameAllocatorSettings() throws Exception {
        String script = Files.readString(Path.of("..", "umarvel")); // tests run in the module's directory
        for (Map.Entry<String, String> e : LocalService.MALLOC.entrySet()) {
            String exported = e.getKey() + "=\"${" + e.getKey() + ":-" + e.getValue() + "}\"";
            assertTrue(script.contains(exported), "the umarvel script exports " + exported);
        }
    }
}
