package dev.umarvel.mbeir.importer;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Instructions;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.Modality;
import dev.umarvel.mbeir.TrainingPairs;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A folder of images with captions or labels, kept the way people keep them, as a dataset of its own in the M-BEIR
 * layout: every PNG or JPEG under the folder is an item; its caption is the first line of a text file beside it with the
 * same stem ({@code cat.png} and {@code cat.txt}), else its file name's words and its folder's name ("tabby cat, animals"
 * for {@code animals/tabby_cat.png}; "animals" for {@code animals/0001.png}: a folder of a class's images).
 *
 * <p>Two tasks, named after the folder (lower-cased, e.g. "stamps"): {@code <name>_task0}, a caption -> the images with
 * that caption, and {@code <name>_task3}, an image -> its caption. Dataset id {@value #DATASET_ID}. The split is
 * {@link HashSplit}'s of each item's path under the folder; val and test items share the tasks' local pools, training
 * items make the training pool and the caption-image pairs of the early stages. Images are copied under
 * {@code mbeir_images/<name>/}.
 */
public final class FolderImporter implements DatasetImporter {

    public static final int DATASET_ID = 100;

    /** One image and its caption. */
    record Item(String path, String caption, String split) {}

    @Override
    public String name() {
        return "folder";
    }

    @Override
    public Path defaultSource() {
        throw new IllegalArgumentException("the folder importer reads the folder --from names");
    }

    /** The dataset name a folder gets: its own name, lower-cased, other characters as '-'. */
    static String datasetName(Path folder) {
        String n = folder.toAbsolutePath().normalize().getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        return n.isEmpty() ? "folder" : n;
    }

    @Override
    public void importTo(Path source, Path out, int trainLimit, long seed, Consumer<String> progress) throws IOException {
        if (!Files.isDirectory(source)) {
            throw new IOException(source + " is not a folder");
        }
        progress.accept("reading " + source);
        List<Item> items = items(source);
        if (items.isEmpty()) {
            throw new IOException(source + " holds no PNG or JPEG image");
        }
        String name = datasetName(source);
        MbeirLayout layout = new MbeirLayout(out);
        progress.accept("copying " + items.size() + " images");
        for (Item i : items) {
            Path to = out.resolve(imagePath(name, i));
            Files.createDirectories(to.getParent());
            Files.copy(source.resolve(i.path()), to, StandardCopyOption.REPLACE_EXISTING);
        }
        progress.accept("writing files");
        new Writer(layout, name, trainLimit).write(items);
    }

    /** Every image under {@code folder} with its caption, in path order. */
    static List<Item> items(Path folder) throws IOException {
        List<Item> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).filter(FolderImporter::isImage).sorted().toList()) {
                String path = folder.relativize(f).toString().replace('\\', '/');
                out.add(new Item(path, caption(folder, f), HashSplit.of(path)));
            }
        }
        return out;
    }

    private static boolean isImage(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /** The first line of the text file beside the image, else the file name's words and the folder's name. */
    static String caption(Path root, Path image) throws IOException {
        String file = image.getFileName().toString();
        String stem = file.substring(0, file.lastIndexOf('.'));
        Path text = image.resolveSibling(stem + ".txt");
        if (Files.exists(text)) {
            try (BufferedReader in = Files.newBufferedReader(text, StandardCharsets.UTF_8)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (!line.isBlank()) {
                        return line.strip();
                    }
                }
            }
        }
        String words = stem.replaceAll("[^\\p{L}]+", " ").strip();
        Path parent = root.relativize(image).getParent();
        String folder = parent == null ? "" : parent.getFileName().toString().replaceAll("[^\\p{L}]+", " ").strip();
        return words.isEmpty() ? (folder.isEmpty() ? stem : folder) : folder.isEmpty() ? words : words + ", " + folder;
    }

    static String imagePath(String name, Item i) {
        return "mbeir_images/" + name + "/" + i.path();
    }

    /** One import run. */
    private static final class Writer {
        private final MbeirLayout layout;
        private final String name;
        private final int trainLimit;
        private final EvalTask textToImage;
        private final EvalTask imageToText;
        private int nextDid;
        private int nextQid = 1_000_000; // queries and candidates count apart

        Writer(MbeirLayout layout, String name, int trainLimit) {
            this.layout = layout;
            this.name = name;
            this.trainLimit = trainLimit;
            this.textToImage = new EvalTask(name, DATASET_ID, 0, EvalTask.DEFAULT_K);
            this.imageToText = new EvalTask(name, DATASET_ID, 3, EvalTask.DEFAULT_K);
        }

        void write(List<Item> items) throws IOException {
            Map<String, List<MbeirQuery>> queries = new LinkedHashMap<>();
            List<MbeirCandidate> trainPool = new ArrayList<>();
            List<MbeirCandidate> imagePool = new ArrayList<>();
            List<MbeirCandidate> captionPool = new ArrayList<>();
            List<com.fasterxml.jackson.databind.node.ObjectNode> pairs = new ArrayList<>();
            for (String split : LayoutFiles.SPLITS) {
                List<Item> in = items.stream().filter(i -> i.split().equals(split)).toList();
                if (split.equals(MbeirLayout.TRAIN) && trainLimit > 0) {
                    in = in.subList(0, Math.min(trainLimit, in.size()));
                }
                // one candidate per image, one per distinct caption; a caption's positives are all its images
                Map<String, MbeirCandidate> captions = new LinkedHashMap<>();
                Map<String, List<String>> imagesOf = new LinkedHashMap<>();
                List<MbeirQuery> toText = new ArrayList<>();
                for (Item i : in) {
                    MbeirCandidate image = candidate(null, imagePath(name, i), Modality.IMAGE);
                    MbeirCandidate caption = captions.computeIfAbsent(i.caption(), c -> candidate(c, null, Modality.TEXT));
                    imagesOf.computeIfAbsent(i.caption(), c -> new ArrayList<>()).add(image.did());
                    toText.add(query(null, image.imgPath(), Modality.IMAGE, 3, List.of(caption.did())));
                    (split.equals(MbeirLayout.TRAIN) ? trainPool : imagePool).add(image);
                    if (split.equals(MbeirLayout.TRAIN)) {
                        pairs.add(TrainingPairs.pair(i.caption(), null, null, image.imgPath()));
                    }
                }
                (split.equals(MbeirLayout.TRAIN) ? trainPool : captionPool).addAll(captions.values());
                List<MbeirQuery> toImage = new ArrayList<>();
                imagesOf.forEach((caption, dids) -> toImage.add(query(caption, null, Modality.TEXT, 0, dids)));
                queries.put(split + "/" + textToImage.name(), toImage);
                queries.put(split + "/" + imageToText.name(), toText);
            }
            LayoutFiles.task(layout, textToImage, imagePool, queries);
            LayoutFiles.task(layout, imageToText, captionPool, queries);
            List<MbeirCandidate> union = new ArrayList<>(imagePool);
            union.addAll(captionPool);
            List<EvalTask> tasks = List.of(textToImage, imageToText);
            LayoutFiles.unions(layout, trainPool, union, LayoutFiles.of(queries, MbeirLayout.TRAIN, tasks), LayoutFiles.of(queries, MbeirLayout.VAL, tasks));
            Jsonl.write(layout.captionImagePairs(), pairs, p -> p);
            new Instructions(List.of(
                    new Instructions.Row(Modality.TEXT, Modality.IMAGE, name, DATASET_ID, List.of("Find the picture this caption describes.",
                            "Retrieve the image that matches the description.", "Show the image described here.")),
                    new Instructions.Row(Modality.IMAGE, Modality.TEXT, name, DATASET_ID, List.of("Find the caption of this picture.",
                            "Retrieve the description of the image.", "What does this image show?"))))
                    .write(layout.instructions());
        }

        private MbeirCandidate candidate(String text, String image, Modality modality) {
            return new MbeirCandidate(DATASET_ID + ":" + nextDid++, text, image, modality, null, null);
        }

        private MbeirQuery query(String text, String image, Modality modality, int taskId, List<String> positives) {
            return new MbeirQuery(DATASET_ID + ":" + nextQid++, text, image, modality, null, positives, List.of(), taskId, null);
        }
    }
}
