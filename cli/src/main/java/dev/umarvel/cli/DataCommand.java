package dev.umarvel.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umarvel.mbeir.DatasetStats;
import dev.umarvel.mbeir.DatasetValidator;
import dev.umarvel.mbeir.importer.DatasetImporter;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code umarvel data ...}: make, import, count and check M-BEIR-layout datasets. */
@Command(showDefaultValues = true, name = "data", description = "Generate, import, count and validate M-BEIR-layout datasets.",
        mixinStandardHelpOptions = true,
        subcommands = {DataCommand.Synth.class, DataCommand.Import.class, DataCommand.Stats.class, DataCommand.Validate.class})
final class DataCommand {

    @Command(showDefaultValues = true, name = "synth", mixinStandardHelpOptions = true,
            description = "Write M-BEIR-synth: one synthetic analogue of each of the 16 M-BEIR tasks, deterministic for a seed.")
    static final class Synth implements Callable<Integer> {
        @Option(names = "--size", defaultValue = "small", description = "tiny (tests, seconds), small (quickstart), large (~1M candidates)")
        String size;

        @Option(names = "--seed", defaultValue = "42", description = "Random seed; the same seed gives byte-identical files.")
        long seed;

        @Option(names = "--out", required = true, description = "Output directory (created if needed).")
        Path out;

        @Override
        public Integer call() throws Exception {
            SynthSize s = SynthSize.parse(size);
            long start = System.nanoTime();
            ObjectNode manifest;
            try (Progress progress = new Progress("synth " + s.label(), 3 * 16 + 16 + 1)) {
                manifest = SynthGenerator.generate(out, s, seed, progress.steps());
            }
            System.out.printf("M-BEIR-synth %s (seed %d) written to %s in %.1f s: %d training queries, %d images, "
                            + "%.1f%% of training queries with a planted false negative%n", s.label(), seed, out,
                    (System.nanoTime() - start) / 1e9, manifest.get("train_queries").asInt(), manifest.get("images").asInt(),
                    100 * manifest.get("false_negative_rate").asDouble());
            return 0;
        }
    }

    @Command(showDefaultValues = true, name = "import", mixinStandardHelpOptions = true,
            description = "Convert a third-party dataset to the M-BEIR layout (sources: fashion-mnist, wordnet).")
    static final class Import implements Callable<Integer> {
        @Parameters(index = "0", description = "The source, e.g. fashion-mnist.")
        String source;

        @Option(names = "--from", description = "Where the source files are (default: the Debian package's directory).")
        Path from;

        @Option(names = "--out", required = true, description = "Output directory.")
        Path out;

        @Option(names = "--train-limit", defaultValue = "0", description = "At most this many training items (0 = all).")
        int trainLimit;

        @Option(names = "--seed", defaultValue = "42", description = "Random seed of the importer's sampling and split.")
        long seed;

        @Override
        public Integer call() throws Exception {
            DatasetImporter importer = DatasetImporter.byName(source);
            Path src = from != null ? from : importer.defaultSource();
            try (Progress progress = new Progress("import " + importer.name(), 4)) {
                importer.importTo(src, out, trainLimit, seed, progress.steps());
            }
            System.out.println(importer.name() + " imported from " + src + " to " + out);
            System.out.print(DatasetStats.markdown(out));
            return 0;
        }
    }

    @Command(showDefaultValues = true, name = "stats", mixinStandardHelpOptions = true, description = "Count queries and candidates per task and split.")
    static final class Stats implements Callable<Integer> {
        @Parameters(index = "0", description = "An M-BEIR-layout directory.")
        Path dir;

        @Override
        public Integer call() throws Exception {
            System.out.print(DatasetStats.markdown(dir));
            return 0;
        }
    }

    @Command(showDefaultValues = true, name = "validate", mixinStandardHelpOptions = true,
            description = "Check every invariant of an M-BEIR-layout directory; exit 1 when one fails.")
    static final class Validate implements Callable<Integer> {
        @Parameters(index = "0", description = "An M-BEIR-layout directory.")
        Path dir;

        @Override
        public Integer call() throws Exception {
            DatasetValidator.Result result = DatasetValidator.validate(dir);
            System.out.println("checked: " + result.counts());
            result.notes().forEach(n -> System.out.println("note: " + n));
            if (result.valid()) {
                System.out.println("valid");
                return 0;
            }
            result.problems().forEach(p -> System.out.println("problem: " + p));
            return 1;
        }
    }
}
