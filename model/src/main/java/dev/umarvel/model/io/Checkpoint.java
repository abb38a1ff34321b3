package dev.umarvel.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.io.CheckpointException.Kind;
import dev.umarvel.model.io.TensorFile.Tensor;
import dev.umarvel.model.nn.LanguageModel;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.nn.NoGrad;
import dev.umarvel.model.text.TextTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A model on disk: a directory with {@code config.json}, {@code parameters.bin} (named tensors),
 * {@code tokenizer.json}, any extra files (e.g. optimizer state) and {@code manifest.json}.
 *
 * <p>Written atomically: everything goes to a hidden temporary directory beside the target, is
 * flushed to disk, and is renamed into place; a reader never sees half a checkpoint. Loading
 * verifies every file against the manifest, so a flipped byte is refused.
 */
public final class Checkpoint {

    public static final String CONFIG = "config.json";
    public static final String PARAMETERS = "parameters.bin";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String MANIFEST = "manifest.json";
    private static final int FORMAT = 1;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** A loaded checkpoint. The caller owns the model's manager and the tokenizer. */
    public record Loaded(Mllm model, TextTokenizer tokenizer, Manifest manifest) {}

    private Checkpoint() {}

    /**
     * Writes a checkpoint of {@code model} to {@code dir}, replacing any checkpoint there.
     *
     * @param extras further files to store and hash (name -> bytes), e.g. optimizer state
     */
    public static Manifest save(Path dir, Mllm model, Path tokenizerJson, String kind, String stage, String parent,
            long step, Manifest.Lora lora, Map<String, String> labels, Map<String, byte[]> extras) throws IOException {
        Path parentDir = dir.toAbsolutePath().getParent();
        Files.createDirectories(parentDir);
        Path tmp = Files.createTempDirectory(parentDir, "." + dir.getFileName() + ".tmp-");
        try {
            Files.writeString(tmp.resolve(CONFIG), GSON.toJson(model.config()), StandardCharsets.UTF_8);
            TensorFile.write(tmp.resolve(PARAMETERS), tensors(model));
            Files.copy(tokenizerJson, tmp.resolve(TOKENIZER));
            for (Map.Entry<String, byte[]> e : extras.entrySet()) {
                Files.write(tmp.resolve(e.getKey()), e.getValue());
            }
            Map<String, String> files = new TreeMap<>();
            try (Stream<Path> list = Files.list(tmp)) {
                for (Path f : list.sorted().toList()) {
                    files.put(f.getFileName().toString(), sha256(f));
                    fsync(f);
                }
            }
            Manifest manifest = new Manifest(FORMAT, kind, stage, parent == null ? "" : parent, Instant.now().toString(),
                    step, lora, files, contentHash(files), new TreeMap<>(labels));
            Path manifestFile = tmp.resolve(MANIFEST);
            Files.writeString(manifestFile, GSON.toJson(manifest), StandardCharsets.UTF_8);
            fsync(manifestFile);
            replace(tmp, dir);
            return manifest;
        } finally {
            deleteTree(tmp);
        }
    }

    /** Reads and checks the manifest and every file it lists. */
    public static Manifest verify(Path dir) throws CheckpointException {
        Manifest manifest;
        try {
            manifest = GSON.fromJson(Files.readString(dir.resolve(MANIFEST), StandardCharsets.UTF_8), Manifest.class);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(Kind.MISSING, "no checkpoint at " + dir + " (" + MANIFEST + " missing)");
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(Kind.CORRUPT, dir + "/" + MANIFEST + " is unreadable: " + e.getMessage(), e);
        }
        if (manifest == null || manifest.files() == null || manifest.hash() == null) {
            throw new CheckpointException(Kind.CORRUPT, dir + "/" + MANIFEST + " is incomplete");
        }
        if (!contentHash(manifest.files()).equals(manifest.hash())) {
            throw new CheckpointException(Kind.CORRUPT, dir + ": manifest hash does not match its file list");
        }
        for (Map.Entry<String, String> f : manifest.files().entrySet()) {
            try {
                String actual = sha256(dir.resolve(f.getKey()));
                if (!actual.equals(f.getValue())) {
                    throw new CheckpointException(Kind.CORRUPT, dir + "/" + f.getKey() + ": content hash " + actual
                            + " does not match the manifest's " + f.getValue());
                }
            } catch (IOException e) {
                throw new CheckpointException(Kind.CORRUPT, dir + "/" + f.getKey() + " is unreadable: " + e.getMessage(), e);
            }
        }
        return manifest;
    }

    /** Verifies and loads a checkpoint into a new model in {@code manager}. */
    public static Loaded load(Path dir, NDManager manager) throws CheckpointException {
        return load(dir, manager, c -> c);
    }

    /**
     * As {@link #load(Path, NDManager)}, with the stored config adjusted first (a stage may change
     * attention, pooling or dropout; shape changes are refused).
     */
    public static Loaded load(Path dir, NDManager manager, UnaryOperator<ModelConfig> adjust) throws CheckpointException {
        Manifest manifest = verify(dir);
        ModelConfig stored = readConfig(dir);
        ModelConfig config = adjust.apply(stored);
        if (!stored.shapeMismatches(config).isEmpty()) {
            throw new CheckpointException(Kind.INCOMPATIBLE, "a stage may not change the model's shapes: "
                    + stored.shapeMismatches(config));
        }
        TextTokenizer tokenizer;
        try {
            tokenizer = TextTokenizer.load(dir.resolve(TOKENIZER));
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(Kind.CORRUPT, dir + "/" + TOKENIZER + ": " + e.getMessage(), e);
        }
        if (tokenizer.vocabSize() != config.vocabSize()) {
            tokenizer.close();
            throw new CheckpointException(Kind.INCOMPATIBLE, dir + ": tokenizer has " + tokenizer.vocabSize()
                    + " tokens but config.json says " + config.vocabSize());
        }
        Mllm model = new Mllm(config);
        model.initialize(manager);
        if (manifest.lora() != null) {
            model.attachLora(manager, manifest.lora().rank(), manifest.lora().alpha(), manifest.lora().dropout(), 0);
        }
        loadParameters(dir, model);
        return new Loaded(model, tokenizer, manifest);
    }

    /**
     * Loads a checkpoint's weights into an existing model of the same shapes (and the same adapter
     * state). A config whose shapes differ is refused with the list of differing fields.
     */
    public static void loadParameters(Path dir, Mllm model) throws CheckpointException {
        verify(dir);
        ModelConfig saved = readConfig(dir);
        List<String> mismatches = model.config().shapeMismatches(saved);
        if (!mismatches.isEmpty()) {
            throw new CheckpointException(Kind.INCOMPATIBLE, dir + " does not fit this model (checkpoint vs model): "
                    + String.join(", ", mismatches));
        }
        Map<String, Tensor> tensors;
        try {
            tensors = TensorFile.read(dir.resolve(PARAMETERS));
        } catch (IOException e) {
            throw new CheckpointException(Kind.CORRUPT, dir + "/" + PARAMETERS + ": " + e.getMessage(), e);
        }
        assign(model, tensors, dir.toString());
    }

    /**
     * Sets every parameter of {@code model} from {@code tensors} (by full parameter name), which must hold each
     * exactly once with the parameter's shape; {@code source} names them in errors. Consumes {@code tensors}.
     */
    public static void assign(Mllm model, Map<String, Tensor> tensors, String source) throws CheckpointException {
        List<String> missing = new ArrayList<>();
        for (Pair<String, Parameter> p : model.getParameters()) {
            Tensor t = tensors.remove(p.getKey());
            if (t == null && Mllm.isPixelStatistic(p.getKey())) {
                continue; // written before the vision tower standardised its input: identity statistics, as trained
            }
            if (t == null && p.getKey().endsWith(LanguageModel.MATCH_EMBEDDING)) {
                // written before rerankers flagged exact matches, or imported: zero, which adds nothing, as they were trained
                // (set, not left: a live model swapping to such weights may hold a trained one)
                t = new Tensor(p.getValue().getArray().getShape().getShape(), new float[(int) p.getValue().getArray().size()]);
            }
            if (t == null) {
                missing.add(p.getKey());
                continue;
            }
            NDArray array = p.getValue().getArray();
            Shape shape = new Shape(t.shape());
            if (!shape.equals(array.getShape())) {
                throw new CheckpointException(Kind.INCOMPATIBLE, p.getKey() + ": checkpoint shape " + shape
                        + " != model shape " + array.getShape());
            }
            try (NoGrad g = NoGrad.scope(); NDArray fromJava = array.getManager().create(t.values(), shape)) {
                // A tensor made from a Java array reads that array's buffer, which lives only as long
                // as the wrapper made with it; intern() keeps the parameter's wrapper, so give it a
                // natively owned copy or a garbage collection frees the weights under the model.
                array.intern(fromJava.duplicate());
            }
            array.setRequiresGradient(p.getValue().requiresGradient());
        }
        if (!missing.isEmpty() || !tensors.isEmpty()) {
            throw new CheckpointException(Kind.INCOMPATIBLE, source + ": parameters missing " + missing
                    + ", unexpected " + tensors.keySet() + " (is a LoRA adapter attached on one side only?)");
        }
    }

    /** The model config stored in a checkpoint. */
    public static ModelConfig readConfig(Path dir) throws CheckpointException {
        try {
            return GSON.fromJson(Files.readString(dir.resolve(CONFIG), StandardCharsets.UTF_8), ModelConfig.class);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(Kind.CORRUPT, dir + "/" + CONFIG + ": " + e.getMessage(), e);
        }
    }

    /** Every parameter's current values by full name, in the model's order (what {@code parameters.bin} holds). */
    public static Map<String, Tensor> tensors(Mllm model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.getParameters()) {
            NDArray a = p.getValue().getArray();
            out.put(p.getKey(), new Tensor(a.getShape().getShape(), a.toFloatArray()));
        }
        return out;
    }

    static String contentHash(Map<String, String> files) {
        StringBuilder lines = new StringBuilder();
        new TreeMap<>(files).forEach((name, sha) -> lines.append(name).append(' ').append(sha).append('\n'));
        return HexFormat.of().formatHex(digest().digest(lines.toString().getBytes(StandardCharsets.UTF_8)));
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void fsync(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Renames {@code tmp} to {@code dir}; an existing {@code dir} is moved aside first and deleted after. */
    private static void replace(Path tmp, Path dir) throws IOException {
        Path old = null;
        if (Files.exists(dir)) {
            old = dir.resolveSibling("." + dir.getFileName() + ".old-" + System.nanoTime());
            Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) {
            deleteTree(old);
        }
    }

    /** Deletes a directory and everything in it; absent is fine. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
