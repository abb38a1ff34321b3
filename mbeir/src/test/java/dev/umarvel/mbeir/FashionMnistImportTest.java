package dev.umarvel.mbeir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.mbeir.importer.DatasetImporter;
import dev.umarvel.mbeir.importer.FashionMnistImporter;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistImportTest {

    @TempDir Path dir;

    /** Writes gzipped IDX files like Debian's package, with labels cycling 0..9. */
    private static void fixture(Path source, int train, int test) throws IOException {
        Files.createDirectories(source);
        images(source.resolve("train-images-idx3-ubyte.gz"), train, 1);
        labels(source.resolve("train-labels-idx1-ubyte.gz"), train);
        images(source.resolve("t10k-images-idx3-ubyte.gz"), test, 2);
        labels(source.resolve("t10k-labels-idx1-ubyte.gz"), test);
    }

    private static void images(Path file, int n, long seed) throws IOException {
        byte[] pixels = new byte[n * 28 * 28];
        new Random(seed).nextBytes(pixels);
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(0x803);
            out.writeInt(n);
            out.writeInt(28);
            out.writeInt(28);
            out.write(pixels);
        }
    }

    private static void labels(Path file, int n) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(0x801);
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                out.writeByte(i % 10);
            }
        }
    }

    @Test
    void aSmallFixtureBecomesAValidMbeirDirectory() throws Exception {
        Path source = dir.resolve("source");
        fixture(source, 40, 2600);
        Path out = dir.resolve("out");
        DatasetImporter.byName("fashion-mnist").importTo(source, out, 0, 1, s -> {});
        DatasetValidator.Result result = DatasetValidator.validate(out);
        assertTrue(result.valid(), String.join("\n", result.problems()));
        assertEquals(3L, result.counts().get("tasks"));
        MbeirLayout layout = new MbeirLayout(out);
        // t->i test queries: the 4 test wordings of each class; positives: the gallery images of that class (200 each)
        try (Stream<MbeirQuery> qs = Jsonl.queries(layout.queries("test", EvalTask.byName("fashion200k_task0")))) {
            var list = qs.toList();
            assertEquals(40, list.size());
            assertEquals(200, list.get(0).posCandList().size());
        }
        // i->t: the test queries are official test images 2500.. with the 6 wordings of their class as positives
        try (Stream<MbeirQuery> qs = Jsonl.queries(layout.queries("test", EvalTask.byName("fashion200k_task3")))) {
            var list = qs.toList();
            assertEquals(100, list.size(), "2600 - 500 val - 2000 gallery");
            assertEquals(6, list.get(0).posCandList().size());
            assertTrue(list.get(0).queryImgPath().endsWith("test/2500.png"));
        }
        Map<String, Set<String>> trainQrels = Qrels.read(layout.qrels("train", EvalTask.byName("nights_task4")));
        assertEquals(40, trainQrels.size());
        // stage 1/2 pairs: one per training image; paraphrases of one class, and a wording with an image of its class
        List<String> text = Files.readAllLines(layout.textPairs());
        List<String> captioned = Files.readAllLines(layout.captionImagePairs());
        assertEquals(40, text.size());
        assertEquals(40, captioned.size());
        var first = Json.MAPPER.readTree(text.get(7)); // training image 7 is of class 7 (sneakers)
        String a = first.get("query").get("txt").asText();
        String b = first.get("pos").get("txt").asText();
        assertTrue(!a.equals(b) && FashionMnistImporter.DESCRIPTIONS.get(7).containsAll(List.of(a, b)), a + " / " + b);
        var image = Json.MAPPER.readTree(captioned.get(3));
        assertTrue(FashionMnistImporter.DESCRIPTIONS.get(3).contains(image.get("query").get("txt").asText()));
        assertEquals("mbeir_images/fashion_mnist/train/3.png", image.get("pos").get("img_path").asText());
    }

    @Test
    void theRealDebianPackageImports() throws Exception {
        Path debian = FashionMnistImporter.DEBIAN_DIR;
        boolean installed = Files.exists(debian.resolve("t10k-images-idx3-ubyte.gz"));
        if (!installed) {
            System.out.println("SKIPPED: " + debian + " is absent (apt-get install dataset-fashion-mnist); .ci/run installs it");
        }
        Assumptions.assumeTrue(installed, "dataset-fashion-mnist not installed");
        Path out = dir.resolve("real");
        new FashionMnistImporter().importTo(debian, out, 1000, 1, s -> {});
        DatasetValidator.Result result = DatasetValidator.validate(out);
        assertTrue(result.valid(), String.join("\n", result.problems()));
        assertEquals(1000L * 3, result.counts().get("train_queries"));
        assertEquals(2000L * 2 + 40, result.counts().get("test_queries"));
        // the official test labels are balanced: every class has close to 200 gallery images
        try (Stream<MbeirQuery> qs = Jsonl.queries(new MbeirLayout(out).queries("test", EvalTask.byName("fashion200k_task0")))) {
            qs.forEach(q -> assertTrue(q.posCandList().size() > 150 && q.posCandList().size() < 250, q.qid()));
        }
    }
}
