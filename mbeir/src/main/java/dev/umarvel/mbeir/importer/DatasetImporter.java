package dev.umarvel.mbeir.importer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Turns a third-party dataset into the M-BEIR layout, so every command of the platform can train
 * and evaluate on it. Adding a source is one class implementing this and one line in {@link #ALL}.
 */
public interface DatasetImporter {

    /** The name used on the command line, e.g. "fashion-mnist". */
    String name();

    /** Where the source is read from when the caller names nothing else. */
    Path defaultSource();

    /**
     * Writes the M-BEIR layout into {@code out}.
     *
     * @param trainLimit at most this many training items (0 = all)
     */
    void importTo(Path source, Path out, int trainLimit, long seed, Consumer<String> progress) throws IOException;

    List<DatasetImporter> ALL = List.of(new FashionMnistImporter(), new WordNetImporter(), new FolderImporter());

    static DatasetImporter byName(String name) {
        return ALL.stream().filter(i -> i.name().equals(name.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown source '" + name + "': known are "
                        + ALL.stream().map(DatasetImporter::name).toList()));
    }
}
