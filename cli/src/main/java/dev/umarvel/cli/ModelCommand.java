package dev.umarvel.cli;

import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.io.Manifest;
import dev.umarvel.onnximport.BertImport;
import dev.umarvel.onnximport.OnnxWeights;
import dev.umarvel.onnximport.PretrainedEncoder;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code umarvel model ...}: checkpoints made from elsewhere. */
@Command(showDefaultValues = true, name = "model", description = "Make checkpoints from pretrained weights.", mixinStandardHelpOptions = true,
        subcommands = {ModelCommand.Import.class})
final class ModelCommand {

    /** The import request of an encoder this build carries, read from its jar (its tokenizer copied to a temporary file). */
    static BertImport.Request carried(PretrainedEncoder e, ModelConfig vision, long seed) throws java.io.IOException {
        Path dir = Files.createTempDirectory("umarvel-import-");
        dir.toFile().deleteOnExit();
        Path json = e.tokenizer(dir);
        json.toFile().deleteOnExit();
        try (InputStream in = e.graph()) {
            return new BertImport.Request(e.id(), OnnxWeights.read(in, e.id()), json, e.heads(), e.maxTokens(), vision, seed);
        }
    }

    /**
     * The quickstart's imported backbone: {@code models/<id>-vision-<size>} under the store, written on first use (vision tower
     * of the data's size, seed 42). Returns it store-relative.
     */
    static String imported(Path store, PretrainedEncoder e, String size) throws Exception {
        String relative = "models/" + e.id() + "-vision-" + size;
        Path out = store.resolve(relative);
        if (!Files.exists(out.resolve(dev.umarvel.model.io.Checkpoint.MANIFEST))) {
            try (Progress bar = new Progress("import " + e.id(), 1)) {
                BertImport.write(carried(e, ModelConfig.preset(size), 42), out);
            }
        }
        return relative;
    }

    @Command(showDefaultValues = true, name = "import", mixinStandardHelpOptions = true, description = {
        "Import a BERT-family text encoder (its ONNX graph and tokenizer.json) as the language model of a new checkpoint,",
        "beside a fresh vision tower and projector. No ONNX runtime is needed to use it. By name, from the jars this build",
        "carries: all-minilm-l6-v2, e5-small-v2; or from files: --onnx, --tokenizer and --heads."})
    static final class Import implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", description = "A pretrained encoder this build carries: all-minilm-l6-v2 or e5-small-v2.")
        String name;

        @Option(names = "--onnx", description = "An ONNX file of a BERT-family encoder, instead of a name (default: the named jar's).")
        Path onnx;

        @Option(names = "--tokenizer", description = "Its Hugging Face tokenizer.json (a WordPiece model); required with --onnx.")
        Path tokenizer;

        @Option(names = "--heads", defaultValue = "0", description = "Its attention heads (not stored in the weights); with --onnx.")
        int heads;

        @Option(names = "--max-tokens", defaultValue = "0",
                description = "With --onnx: the token limit, at most its positions (0: all); the longest sequence it was trained on.")
        int maxTokens;

        @Option(names = "--vision", defaultValue = "small", description = "The from-scratch preset whose vision tower shapes to use: tiny, small or base.")
        String vision;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the fresh vision tower and projector.")
        long seed;

        @Option(names = "--out", required = true, description = "Checkpoint directory to write (replaced atomically if present).")
        Path out;

        @Override
        public Integer call() throws Exception {
            BertImport.Request request = request();
            Manifest m = BertImport.write(request, out);
            ModelConfig c = BertImport.config(request);
            System.out.printf("%s imported to %s: %d layers, width %d, %d heads, vocabulary %d, %d positions; vision tower of %s "
                    + "(fresh, seed %d); version %s%n", request.name(), out, c.layers(), c.width(), c.heads(), c.vocabSize(),
                    c.maxTokens(), vision, seed, m.version());
            return 0;
        }

        private BertImport.Request request() throws Exception {
            ModelConfig v = ModelConfig.preset(vision);
            if (onnx == null) {
                if (name == null || tokenizer != null || heads != 0 || maxTokens != 0) {
                    throw new IllegalArgumentException("name an encoder (all-minilm-l6-v2, e5-small-v2) or give --onnx, "
                            + "--tokenizer and --heads (and --max-tokens)");
                }
                return carried(PretrainedEncoder.named(name), v, seed);
            }
            if (name != null || tokenizer == null || heads < 1) {
                throw new IllegalArgumentException("--onnx needs --tokenizer and --heads (>= 1), and no encoder name");
            }
            String id = onnx.getFileName().toString().replaceFirst("\\.onnx$", "");
            try (InputStream in = new BufferedInputStream(Files.newInputStream(onnx), 1 << 20)) {
                return new BertImport.Request(id, OnnxWeights.read(in, onnx.toString()), tokenizer, heads, maxTokens, v, seed);
            }
        }
    }
}
