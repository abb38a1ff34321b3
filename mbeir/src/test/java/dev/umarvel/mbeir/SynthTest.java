package dev.umarvel.mbeir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthTest {

    @TempDir static Path dir;
    private static Path first;
    private static ObjectNode manifest;

    @BeforeAll
    static void generate() throws Exception {
        first = dir.resolve("a");
        manifest = SynthGenerator.generate(first, SynthSize.TINY, 7, s -> {});
    }

    /** Every file under a root, by relative path, with its SHA-256. */
    private static Map<String, String> digest(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(f).toString(), HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return out;
    }

    @Test
    void generatedDataPassesEveryInvariant() throws Exception {
        DatasetValidator.Result result = DatasetValidator.validate(first);
        assertTrue(result.valid(), String.join("\n", result.problems()));
        assertEquals(16L, result.counts().get("tasks"));
        assertEquals(16L * SynthSize.TINY.test, result.counts().get("test_queries"));
        assertEquals(manifest.get("planted_false_negatives").asLong(), result.counts().get("false_negatives"));
        assertTrue(result.counts().get("images") > 100);
    }

    @Test
    void plantedFalseNegativesAreNearTheTargetRate() {
        double rate = manifest.get("false_negative_rate").asDouble();
        assertTrue(rate > 0.05 && rate < 0.16, "rate " + rate + " for target " + SynthGenerator.FALSE_NEGATIVE_RATE);
        assertEquals(16 * SynthSize.TINY.train, manifest.get("train_queries").asInt());
    }

    @Test
    void theSameSeedGivesByteIdenticalOutputAndAnotherSeedDoesNot() throws Exception {
        Path again = dir.resolve("b");
        SynthGenerator.generate(again, SynthSize.TINY, 7, s -> {});
        Map<String, String> a = digest(first);
        assertEquals(a, digest(again));
        Path other = dir.resolve("c");
        SynthGenerator.generate(other, SynthSize.TINY, 8, s -> {});
        assertNotEquals(a.get("query/test/mbeir_cirr_task7_test.jsonl"), digest(other).get("query/test/mbeir_cirr_task7_test.jsonl"));
    }

    @Test
    void renderingWritesNoTemporaryFile() throws Exception {
        // ImageIO's cache directory gone: an encoder that spools the PNG through a file fails to write it
        Path cache = Files.createTempDirectory("imageio-cache");
        javax.imageio.ImageIO.setCacheDirectory(cache.toFile());
        Files.delete(cache);
        Path again = dir.resolve("no-cache");
        try {
            SynthGenerator.generate(again, SynthSize.TINY, 7, s -> {});
        } finally {
            javax.imageio.ImageIO.setCacheDirectory(null);
        }
        assertEquals(digest(first), digest(again));
    }

    @Test
    void aCorruptedFileIsCaught() throws Exception {
        Path broken = dir.resolve("broken");
        SynthGenerator.generate(broken, SynthSize.TINY, 9, s -> {});
        MbeirLayout layout = new MbeirLayout(broken);
        Path pool = layout.localPool(EvalTask.byName("webqa_task1"), "test");
        String text = Files.readString(pool);
        Files.writeString(pool, text.substring(text.indexOf('\n') + 1)); // drop a candidate
        Files.write(broken.resolve("mbeir_images/cirr_images/0.png"), new byte[] {1, 2, 3});
        DatasetValidator.Result result = DatasetValidator.validate(broken);
        assertTrue(result.problems().stream().anyMatch(p -> p.contains("is not in its pool")), result.problems().toString());
        assertTrue(result.problems().stream().anyMatch(p -> p.contains("cirr_images/0.png")), result.problems().toString());
    }

    @Test
    void statsCountEveryTask() throws Exception {
        String md = DatasetStats.markdown(first);
        assertTrue(md.contains("| cirr_task7 | " + SynthSize.TINY.train + " | " + SynthSize.TINY.val + " | " + SynthSize.TINY.test + " |"), md);
        assertTrue(md.contains("| **all 16** | " + 16 * SynthSize.TINY.train + " |"), md);
    }
}
