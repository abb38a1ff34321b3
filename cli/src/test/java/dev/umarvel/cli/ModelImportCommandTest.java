package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.io.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code umarvel model import}: a pretrained encoder by name becomes a checkpoint; a wrong request writes nothing. */
class ModelImportCommandTest {

    @TempDir Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int code = Umarvel.run(args);
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void miniLmByNameBecomesABertLayoutCheckpoint() throws Exception {
        Path out = dir.resolve("minilm");
        Run r = run("model", "import", "all-minilm-l6-v2", "--vision", "tiny", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("all-minilm-l6-v2 imported to " + out + ": 6 layers, width 384, 12 heads, vocabulary 30522, "
                + "256 positions; vision tower of tiny (fresh, seed 42)"), r.out());
        Checkpoint.verify(out);
        ModelConfig c = Checkpoint.readConfig(out);
        assertEquals(ModelConfig.Layout.BERT, c.layout());
        assertEquals(ModelConfig.tiny().visionWidth(), c.visionWidth());
    }

    @Test
    void theQuickstartRefusesAnUnknownBackboneBeforeWritingAnything() {
        Path store = dir.resolve("store");
        Run r = run("quickstart", "--size", "tiny", "--backbone", "bert", "--store", store.toString());
        assertEquals(1, r.code());
        assertEquals("umarvel: --backbone: unknown backbone 'bert': expected scratch or one of [minilm, e5-small]", r.err().strip());
        assertFalse(Files.exists(store));
    }

    @Test
    void theQuickstartRefusesARerankDepthOutside2To1000BeforeWritingAnything() {
        Path store = dir.resolve("store");
        for (String depth : List.of("1", "1001")) {
            Run r = run("quickstart", "--size", "tiny", "--rerank-depth", depth, "--store", store.toString());
            assertEquals(1, r.code());
            assertEquals("umarvel: --rerank-depth: must be in 2..1000, got " + depth, r.err().strip());
            assertFalse(Files.exists(store));
        }
    }

    @Test
    void anUnknownNameIsRefusedWithTheNamesThereAre() {
        Run r = run("model", "import", "bert-large", "--out", dir.resolve("x").toString());
        assertEquals(1, r.code());
        assertEquals("umarvel: unknown pretrained encoder 'bert-large': expected one of [all-minilm-l6-v2, e5-small-v2]", r.err().strip());
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    void aFileNeedsItsTokenizerAndHeads() {
        Run r = run("model", "import", "--onnx", dir.resolve("m.onnx").toString(), "--out", dir.resolve("x").toString());
        assertEquals(1, r.code());
        assertEquals("umarvel: --onnx needs --tokenizer and --heads (>= 1), and no encoder name", r.err().strip());
    }

    @Test
    void aFileThatIsNoOnnxModelIsRefusedAndNothingIsWritten() throws Exception {
        Path notOnnx = Files.writeString(dir.resolve("m.onnx"), "");
        Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Run r = run("model", "import", "--onnx", notOnnx.toString(), "--tokenizer", tokenizer.toString(), "--heads", "12",
                "--out", dir.resolve("x").toString());
        assertEquals(1, r.code());
        assertEquals("umarvel: " + notOnnx + ": not an ONNX model (no graph)", r.err().strip());
        assertFalse(Files.exists(dir.resolve("x")));
    }
}
