package dev.umarvel.mbeir.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.mbeir.DatasetValidator;
import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder of images with captions or labels becomes a valid dataset of its own, split by path. */
class FolderImportTest {

    @TempDir
    Path dir;

    static final String[] COLOURS = {"red", "green", "blue", "yellow", "white", "black"};

    static void png(Path file, Color colour) throws Exception {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                image.setRGB(x, y, colour.getRGB());
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    @Test
    void aCaptionIsItsTextFileElseItsNameAndFolder() throws Exception {
        Path root = dir.resolve("pictures");
        png(root.resolve("animals/tabby_cat.png"), Color.ORANGE);
        png(root.resolve("animals/0001.png"), Color.GRAY);
        png(root.resolve("coins/001penny.png"), Color.RED);
        Files.writeString(root.resolve("coins/001penny.txt"), "\nA US 1 cent piece called a penny.\nfr.utf8=Une piece\n");
        assertEquals("tabby cat, animals", FolderImporter.caption(root, root.resolve("animals/tabby_cat.png")));
        assertEquals("animals", FolderImporter.caption(root, root.resolve("animals/0001.png")));
        assertEquals("A US 1 cent piece called a penny.", FolderImporter.caption(root, root.resolve("coins/001penny.png")));
        assertEquals("pictures", FolderImporter.datasetName(root));
        assertEquals("my-photos-2024", FolderImporter.datasetName(dir.resolve("My Photos (2024)")));
    }

    @Test
    void aFolderBecomesAValidDatasetOfItsOwn() throws Exception {
        Path root = dir.resolve("shapes");
        for (int i = 0; i < 120; i++) {
            String colour = COLOURS[i % COLOURS.length];
            png(root.resolve(colour + "/" + colour + "_square_" + i + ".png"), Color.getHSBColor(i / 120f, 1, 1));
            Files.writeString(root.resolve(colour + "/" + colour + "_square_" + i + ".txt"), "a " + colour + " square number " + i);
        }
        Path out = dir.resolve("out");
        DatasetImporter.byName("folder").importTo(root, out, 0, 1, s -> {});
        MbeirLayout layout = new MbeirLayout(out);
        assertEquals(List.of(new EvalTask("shapes", FolderImporter.DATASET_ID, 0, 5), new EvalTask("shapes", FolderImporter.DATASET_ID, 3, 5)),
                layout.tasks(MbeirLayout.TEST));
        DatasetValidator.Result r = DatasetValidator.validate(out);
        assertEquals(List.of(), r.problems());
        // the split is the hash of each path: the same items in test on every machine, none of them in training
        List<FolderImporter.Item> items = FolderImporter.items(root);
        long test = items.stream().filter(i -> i.split().equals(MbeirLayout.TEST)).count();
        long val = items.stream().filter(i -> i.split().equals(MbeirLayout.VAL)).count();
        assertEquals(2 * (test + val), r.counts().get("test_queries") + r.counts().get("val_queries"), "a query each way per item");
        assertTrue(test > 0 && val > 0, test + " test, " + val + " val");
        Set<String> trainImages = new HashSet<>();
        try (Stream<MbeirCandidate> cs = Jsonl.candidates(layout.unionPool(MbeirLayout.TRAIN))) {
            cs.filter(c -> c.imgPath() != null).forEach(c -> trainImages.add(c.imgPath()));
        }
        for (FolderImporter.Item i : items) {
            assertEquals(i.split().equals(MbeirLayout.TRAIN), trainImages.contains(FolderImporter.imagePath("shapes", i)), i.path());
            assertTrue(Files.exists(out.resolve(FolderImporter.imagePath("shapes", i))), i.path());
        }
        assertEquals(items.size() - test - val, Files.readAllLines(layout.captionImagePairs()).size());
    }
}
