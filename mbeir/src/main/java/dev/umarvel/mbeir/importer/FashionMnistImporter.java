package dev.umarvel.mbeir.importer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Instructions;
import dev.umarvel.mbeir.Json;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirDataset;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.Modality;
import dev.umarvel.mbeir.TrainingPairs;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/**
 * Fashion-MNIST (Debian's {@code dataset-fashion-mnist}: 70,000 28x28 grey product images, 10
 * classes, official train/test split) in the M-BEIR layout, under the ids of its M-BEIR analogues:
 * text -> image and image -> text as Fashion200K tasks 0 and 3 (dataset 1), image -> image of the
 * same class as NIGHTS task 4 (dataset 4).
 *
 * <p>From the official test set: images 0-499 are validation queries, 500-2499 the gallery that
 * val and test search, 2500-4499 the test queries. Training uses the official training set.
 */
public final class FashionMnistImporter implements DatasetImporter {

    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String MANIFEST = "import_manifest.json";

    /** Six wordings per class: 0-1 are validation queries, 2-5 test queries; all six are i->t candidates. */
    public static final List<List<String>> DESCRIPTIONS = List.of(
            List.of("a t-shirt", "a short sleeved top", "a casual tee shirt", "a plain top with short sleeves", "a t-shirt or top", "a basic cotton tee"),
            List.of("a pair of trousers", "long pants", "a pair of slacks", "full length trousers", "trousers for the legs", "a pair of long pants"),
            List.of("a pullover", "a warm sweater", "a knitted jumper", "a long sleeved pullover", "a wool sweater", "a cosy jumper"),
            List.of("a dress", "a one piece dress", "a summer dress", "a long dress", "a dress for women", "an elegant dress"),
            List.of("a coat", "a winter coat", "a long jacket", "a coat with buttons", "an outdoor coat", "a warm overcoat"),
            List.of("a sandal", "an open summer shoe", "a strappy sandal", "a sandal for the beach", "a light open shoe", "a flat sandal"),
            List.of("a shirt", "a button up shirt", "a collared shirt", "a long sleeved shirt", "a formal shirt", "a shirt with a collar"),
            List.of("a sneaker", "a sports shoe", "a running shoe", "a trainer", "a casual sneaker", "a low athletic shoe"),
            List.of("a bag", "a handbag", "a shoulder bag", "a purse", "a tote bag", "a bag with a handle"),
            List.of("an ankle boot", "a short boot", "a boot up to the ankle", "a leather ankle boot", "a heeled boot", "a winter ankle boot"));

    private static final int VAL_QUERIES = 500;
    private static final int GALLERY = 2000;
    private static final int TEST_QUERIES = 2000;

    @Override
    public String name() {
        return "fashion-mnist";
    }

    @Override
    public Path defaultSource() {
        return DEBIAN_DIR;
    }

    @Override
    public void importTo(Path source, Path out, int trainLimit, long seed, Consumer<String> progress) throws IOException {
        progress.accept("reading " + source);
        IdxFile.Images trainImages = IdxFile.images(find(source, "train-images-idx3-ubyte"));
        byte[] trainLabels = IdxFile.labels(find(source, "train-labels-idx1-ubyte"));
        IdxFile.Images testImages = IdxFile.images(find(source, "t10k-images-idx3-ubyte"));
        byte[] testLabels = IdxFile.labels(find(source, "t10k-labels-idx1-ubyte"));
        int trainCount = trainLimit > 0 ? Math.min(trainLimit, trainImages.count()) : trainImages.count();
        if (testImages.count() < VAL_QUERIES + GALLERY + 1) {
            throw new IOException(source + ": the test set has " + testImages.count() + " images, at least "
                    + (VAL_QUERIES + GALLERY + 1) + " are needed");
        }
        new Writer(new MbeirLayout(out), seed, progress).write(trainImages, trainLabels, trainCount, testImages, testLabels);
    }

    private static Path find(Path dir, String stem) throws IOException {
        for (String name : List.of(stem + ".gz", stem)) {
            if (Files.exists(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        throw new IOException(dir + ": " + stem + "(.gz) not found; on Debian, apt-get install dataset-fashion-mnist");
    }

    /** One import run. */
    private static final class Writer {
        private final MbeirLayout layout;
        private final Random random;
        private final Consumer<String> progress;
        private final EvalTask textToImage = EvalTask.byName("fashion200k_task0");
        private final EvalTask imageToText = EvalTask.byName("fashion200k_task3");
        private final EvalTask imageToImage = EvalTask.byName("nights_task4");
        private final Map<String, List<MbeirQuery>> queries = new LinkedHashMap<>();
        private int nextId;

        Writer(MbeirLayout layout, long seed, Consumer<String> progress) {
            this.layout = layout;
            this.random = new Random(seed);
            this.progress = progress;
        }

        private String id(MbeirDataset d) {
            return d.id() + ":" + ++nextId;
        }

        private String png(String split, int index, IdxFile.Images images) throws IOException {
            String relative = "mbeir_images/fashion_mnist/" + split + "/" + index + ".png";
            Path file = layout.image(relative);
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                BufferedImage image = new BufferedImage(images.cols(), images.rows(), BufferedImage.TYPE_BYTE_GRAY);
                image.getRaster().setDataElements(0, 0, images.cols(), images.rows(), images.image(index));
                ImageIO.write(image, "png", file.toFile());
            }
            return relative;
        }

        private void query(String split, EvalTask task, String txt, String img, List<String> positives) {
            Modality m = Modality.of(txt != null, img != null);
            MbeirDataset d = task.mbeirDataset();
            queries.computeIfAbsent(split + "/" + task.name(), k -> new ArrayList<>())
                    .add(new MbeirQuery(id(d), txt, img, m, null, positives, List.of(), task.taskId(), null));
        }

        void write(IdxFile.Images train, byte[] trainLabels, int trainCount, IdxFile.Images test, byte[] testLabels)
                throws IOException {
            // Candidates: per-class descriptions (i->t), and image galleries (t->i under id 1, i->i under id 4).
            List<List<String>> descriptionDids = new ArrayList<>();
            List<MbeirCandidate> descriptions = new ArrayList<>();
            for (List<String> wordings : DESCRIPTIONS) {
                List<String> dids = new ArrayList<>();
                for (String w : wordings) {
                    String did = id(MbeirDataset.FASHION200K);
                    descriptions.add(new MbeirCandidate(did, w, null, Modality.TEXT, null, null));
                    dids.add(did);
                }
                descriptionDids.add(dids);
            }

            progress.accept("writing " + trainCount + " training images");
            List<MbeirCandidate> trainImages = new ArrayList<>();
            List<MbeirCandidate> trainImagesNights = new ArrayList<>();
            List<List<Integer>> byClass = new ArrayList<>();
            for (int c = 0; c < 10; c++) {
                byClass.add(new ArrayList<>());
            }
            for (int i = 0; i < trainCount; i++) {
                String img = png("train", i, train);
                trainImages.add(new MbeirCandidate(id(MbeirDataset.FASHION200K), null, img, Modality.IMAGE, null, null));
                trainImagesNights.add(new MbeirCandidate(id(MbeirDataset.NIGHTS), null, img, Modality.IMAGE, null, null));
                byClass.get(trainLabels[i]).add(i);
            }
            for (int i = 0; i < trainCount; i++) {
                int label = trainLabels[i];
                List<String> wordings = DESCRIPTIONS.get(label);
                query(MbeirLayout.TRAIN, textToImage, wordings.get(random.nextInt(wordings.size())), null,
                        List.of(trainImages.get(i).did()));
                query(MbeirLayout.TRAIN, imageToText, null, trainImages.get(i).imgPath(), descriptionDids.get(label));
                List<Integer> same = byClass.get(label);
                int other = same.get(random.nextInt(same.size()));
                if (same.size() > 1) {
                    while (other == i) {
                        other = same.get(random.nextInt(same.size()));
                    }
                }
                query(MbeirLayout.TRAIN, imageToImage, null, trainImages.get(i).imgPath(), List.of(trainImagesNights.get(other).did()));
            }

            progress.accept("writing the evaluation gallery and queries");
            int testQueries = Math.min(TEST_QUERIES, test.count() - VAL_QUERIES - GALLERY);
            List<MbeirCandidate> gallery = new ArrayList<>();
            List<MbeirCandidate> galleryNights = new ArrayList<>();
            List<List<String>> galleryByClass = new ArrayList<>();
            List<List<String>> galleryNightsByClass = new ArrayList<>();
            for (int c = 0; c < 10; c++) {
                galleryByClass.add(new ArrayList<>());
                galleryNightsByClass.add(new ArrayList<>());
            }
            for (int i = VAL_QUERIES; i < VAL_QUERIES + GALLERY; i++) {
                String img = png("test", i, test);
                MbeirCandidate a = new MbeirCandidate(id(MbeirDataset.FASHION200K), null, img, Modality.IMAGE, null, null);
                MbeirCandidate b = new MbeirCandidate(id(MbeirDataset.NIGHTS), null, img, Modality.IMAGE, null, null);
                gallery.add(a);
                galleryNights.add(b);
                galleryByClass.get(testLabels[i]).add(a.did());
                galleryNightsByClass.get(testLabels[i]).add(b.did());
            }
            for (int c = 0; c < 10; c++) {
                for (int w = 0; w < DESCRIPTIONS.get(c).size(); w++) {
                    query(w < 2 ? MbeirLayout.VAL : MbeirLayout.TEST, textToImage, DESCRIPTIONS.get(c).get(w), null, galleryByClass.get(c));
                }
            }
            for (int i = 0; i < VAL_QUERIES + testQueries; i++) {
                int index = i < VAL_QUERIES ? i : VAL_QUERIES + GALLERY + (i - VAL_QUERIES);
                String split = i < VAL_QUERIES ? MbeirLayout.VAL : MbeirLayout.TEST;
                String img = png("test", index, test);
                int label = testLabels[index];
                query(split, imageToText, null, img, descriptionDids.get(label));
                query(split, imageToImage, null, img, galleryNightsByClass.get(label));
            }

            progress.accept("writing files");
            List<MbeirCandidate> trainPool = new ArrayList<>(descriptions);
            trainPool.addAll(trainImages);
            trainPool.addAll(trainImagesNights);
            Map<EvalTask, List<MbeirCandidate>> pools = Map.of(textToImage, gallery, imageToText, descriptions, imageToImage, galleryNights);
            List<EvalTask> tasks = List.of(textToImage, imageToText, imageToImage);
            List<MbeirCandidate> union = new ArrayList<>();
            for (EvalTask task : tasks) {
                LayoutFiles.task(layout, task, pools.get(task), queries);
                union.addAll(pools.get(task));
            }
            List<MbeirQuery> fashion = new ArrayList<>(queries.get(MbeirLayout.TRAIN + "/" + textToImage.name()));
            fashion.addAll(queries.get(MbeirLayout.TRAIN + "/" + imageToText.name()));
            List<MbeirQuery> nights = queries.get(MbeirLayout.TRAIN + "/" + imageToImage.name());
            Jsonl.write(layout.trainQueries(MbeirDataset.FASHION200K), fashion, MbeirQuery::toJson);
            Jsonl.write(layout.trainQueries(MbeirDataset.NIGHTS), nights, MbeirQuery::toJson);
            List<MbeirQuery> unionTrain = new ArrayList<>(fashion);
            unionTrain.addAll(nights);
            Collections.shuffle(unionTrain, random);
            LayoutFiles.unions(layout, trainPool, union, unionTrain, LayoutFiles.of(queries, MbeirLayout.VAL, tasks));
            writePairs(trainImages, trainLabels, trainCount);
            new Instructions(List.of(
                    new Instructions.Row(Modality.TEXT, Modality.IMAGE, "Fashion-MNIST", 1, List.of(
                            "Find an image of the described clothing item.", "Retrieve a product photo matching the description.",
                            "Show an item of this kind.", "Find a picture of this type of garment.")),
                    new Instructions.Row(Modality.IMAGE, Modality.TEXT, "Fashion-MNIST", 1, List.of(
                            "What kind of item is shown?", "Find the description of this clothing item.",
                            "Retrieve the category name of the pictured product.", "Describe the item in the picture.")),
                    new Instructions.Row(Modality.IMAGE, Modality.IMAGE, "Fashion-MNIST", 4, List.of(
                            "Find another item of the same kind.", "Retrieve a picture of a similar product.",
                            "Find an image of the same category.", "Show more items like this one."))))
                    .write(layout.instructions());
            ObjectNode manifest = Json.MAPPER.createObjectNode();
            manifest.put("source", "fashion-mnist");
            manifest.put("train_images", trainCount);
            manifest.put("val_queries", VAL_QUERIES);
            manifest.put("gallery", GALLERY);
            manifest.put("test_queries", testQueries);
            manifest.putArray("tasks").add(textToImage.name()).add(imageToText.name()).add(imageToImage.name());
            manifest.put("pairs", "stage 1: two wordings of one class; stage 2: a wording and a training image of its class");
            manifest.put("note", "Fashion-MNIST under the ids of its M-BEIR analogues: Fashion200K (1) for t->i and i->t, NIGHTS (4) for i->i");
            AtomicWriter.write(layout.root().resolve(MANIFEST), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n");
        }

        /**
         * Pairs for the recipe's first stages, from the same source: stage 1 pairs two wordings of one
         * class (a paraphrase), stage 2 pairs a wording with a training image of its class.
         */
        private void writePairs(List<MbeirCandidate> trainImages, byte[] trainLabels, int trainCount) throws IOException {
            List<ObjectNode> text = new ArrayList<>();
            List<ObjectNode> captioned = new ArrayList<>();
            for (int i = 0; i < trainCount; i++) {
                List<String> wordings = DESCRIPTIONS.get(trainLabels[i]);
                int a = random.nextInt(wordings.size());
                int b = (a + 1 + random.nextInt(wordings.size() - 1)) % wordings.size();
                text.add(TrainingPairs.pair(wordings.get(a), null, wordings.get(b), null));
                captioned.add(TrainingPairs.pair(wordings.get(random.nextInt(wordings.size())), null, null, trainImages.get(i).imgPath()));
            }
            Jsonl.write(layout.textPairs(), text, n -> n);
            Jsonl.write(layout.captionImagePairs(), captioned, n -> n);
        }
    }
}
