package dev.umarvel.orchestrator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Image;
import dev.umarvel.index.VectorIndex;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.Json;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirFormatException;
import dev.umarvel.mbeir.PoolCandidates;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Imports an M-BEIR candidate pool from the store in batches. After each durable batch the number of
 * candidates done is written (atomically) to {@code collections/<name>/imports/<file>.json}; a re-run
 * skips that many and goes on, and upserts are idempotent by did, so a did is never stored twice.
 */
@ApplicationScoped
public class PoolImport {

    /** Progress after each batch. */
    public record Progress(long linesRead, long totalLines, long upserted, long skipped, double perSecond, Phase phase) {}

    /** Where an import is: writing lines, merging what it wrote, or done. */
    public enum Phase { WRITING, COMPACTING, DONE }

    /** The import's settings, resolved against the store. */
    public record Request(String collection, String poolPath, String imageRoot, List<String> pools, int batchSize, boolean restart) {}

    @Inject
    Collections collections;

    @Inject
    Indexer indexer;

    @Inject
    OrchestratorConfig config;

    public void run(Request r, java.util.function.Consumer<Progress> progress) throws IOException {
        collections.describe(r.collection());
        Path store = config.store().toAbsolutePath().normalize();
        Path file = Requests.inStore(store, r.poolPath(), "pool_path");
        if (!Files.isRegularFile(file)) {
            throw Status.NOT_FOUND.withDescription("pool_path: no file " + r.poolPath() + " in the store").asRuntimeException();
        }
        String imageRoot = r.imageRoot().isEmpty() ? defaultImageRoot(store, file) : r.imageRoot();
        Requests.inStore(store, imageRoot, "image_root");
        List<String> pools = r.pools().isEmpty() ? PoolCandidates.labels(file.getFileName().toString()) : r.pools();
        Path marker = collections.dir(r.collection()).resolve("imports").resolve(file.getFileName() + ".json");
        long done = r.restart() || !Files.exists(marker) ? 0 : Json.MAPPER.readTree(marker.toFile()).path("candidates_done").asLong();
        long total = countLines(file);
        long start = System.nanoTime();
        long read = 0;
        long upserted = 0;
        List<Candidate> batch = new ArrayList<>();
        try (VectorIndex.BulkWrite bulk = collections.index(r.collection()).bulkWrite();
                Stream<MbeirCandidate> lines = Jsonl.candidates(file)) {
            Iterator<MbeirCandidate> it = lines.iterator();
            while (it.hasNext()) {
                MbeirCandidate c = it.next();
                read++;
                if (read <= done) {
                    continue;
                }
                batch.add(candidate(c, imageRoot, pools));
                if (batch.size() == r.batchSize() || !it.hasNext()) {
                    upserted += indexer.upsert(r.collection(), batch, r.poolPath() + " lines " + (read - batch.size() + 1) + ".."
                            + read + ": ", true).upserted();
                    batch.clear();
                    writeMarker(marker, r.poolPath(), read);
                    progress.accept(new Progress(read, total, upserted, Math.min(done, read), rate(upserted, start), Phase.WRITING));
                }
            }
        } catch (MbeirFormatException e) {
            throw Status.INVALID_ARGUMENT.withDescription(e.getMessage().replace(file.toString(), r.poolPath())).asRuntimeException();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        writeMarker(marker, r.poolPath(), read);
        // one segment per batch written: merged, so searches visit one graph; also after nothing new where an earlier run
        // stopped before its compaction (its candidates are durable but wait for their graph)
        if (upserted > 0 || collections.index(r.collection()).awaitsCompaction()) {
            progress.accept(new Progress(read, total, upserted, Math.min(done, read), rate(upserted, start), Phase.COMPACTING));
            collections.index(r.collection()).compact();
        }
        progress.accept(new Progress(read, total, upserted, Math.min(done, read), rate(upserted, start), Phase.DONE));
    }

    private static Candidate candidate(MbeirCandidate c, String imageRoot, List<String> pools) {
        return PoolCandidates.of(c, path -> Image.newBuilder().setStorePath(imageRoot.isEmpty() ? path : imageRoot + "/" + path).build(),
                pools);
    }

    private static double rate(long n, long start) {
        double s = (System.nanoTime() - start) / 1e9;
        return s > 0 ? n / s : 0;
    }

    private static void writeMarker(Path marker, String poolPath, long done) throws IOException {
        Files.createDirectories(marker.getParent());
        ObjectNode o = Json.MAPPER.createObjectNode().put("pool_path", poolPath).put("candidates_done", done);
        AtomicWriter.write(marker, o.toString());
    }

    private static long countLines(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }

    /** The store-relative M-BEIR root of a pool file in the store. */
    static String defaultImageRoot(Path store, Path file) {
        return store.relativize(PoolCandidates.root(file)).toString();
    }
}
