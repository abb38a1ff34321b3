package dev.umarvel.orchestrator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the orchestrator knows of a collection, kept as {@code collections/<name>/collection.json} in
 * the store (written atomically): the model its vectors come from, the live index version behind the
 * alias, and the pool labels seen (for the per-pool counts). {@code int8}: the embedded graph is quantised (a record
 * written before the option existed reads as false, which it was).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CollectionRecord(String name, String description, OrchestratorConfig.Backend backend, String metric, int dimension,
        String modelVersion, int indexVersion, int m, int efConstruction, int efSearch, long createdAtMillis, long swappedAtMillis,
        Set<String> pools, boolean int8) {

    static final String FILE = "collection.json";

    public CollectionRecord {
        pools = pools == null ? new TreeSet<>() : new TreeSet<>(pools);
    }

    /** The engine-side name of an index version: "docs_v3". */
    public String physicalName(int version) {
        return name + "_v" + version;
    }

    public String physicalName() {
        return physicalName(indexVersion);
    }

    CollectionRecord withPools(Set<String> more) {
        Set<String> all = new TreeSet<>(pools);
        all.addAll(more);
        return new CollectionRecord(name, description, backend, metric, dimension, modelVersion, indexVersion, m, efConstruction, efSearch,
                createdAtMillis, swappedAtMillis, all, int8);
    }

    /** The record serving index version {@code version} of {@code modelVersion}'s vectors, swapped in at {@code swappedAt}. */
    CollectionRecord withIndex(String model, int version, long swappedAt) {
        return new CollectionRecord(name, description, backend, metric, dimension, model, version, m, efConstruction, efSearch,
                createdAtMillis, swappedAt, pools, int8);
    }

    static CollectionRecord read(Path dir) throws IOException {
        return Json.MAPPER.readValue(dir.resolve(FILE).toFile(), CollectionRecord.class);
    }

    void write(Path dir) throws IOException {
        AtomicWriter.write(dir.resolve(FILE), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this));
    }
}
