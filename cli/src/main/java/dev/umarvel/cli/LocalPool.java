package dev.umarvel.cli;

import com.google.protobuf.ByteString;
import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Collection;
import dev.umarvel.api.v1.Image;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.UpsertRequest;
import dev.umarvel.api.v1.UpsertResponse;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.PoolCandidates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A pool file on this machine streamed to the orchestrator with its images inline: how the command line writes a file the
 * orchestrator cannot open (it reads only inside its own store). One Upsert per {@link #PER_CALL} candidates, so neither
 * side holds the whole file; idempotent by did, so a re-run after an interruption writes each did once.
 */
final class LocalPool {

    /** Candidates per Upsert call: a few MB of images at most, and a progress step a person sees move. */
    static final int PER_CALL = 256;

    /** What was written, summed over the calls. */
    record Written(long lines, long upserted, long created, long replaced, Collection collection) {}

    private LocalPool() {
    }

    static Written stream(RetrievalGrpc.RetrievalStub stub, String collection, Path file, Path imageRoot, List<String> pools, int chunk)
            throws Exception {
        long total = countLines(file);
        long lines = 0;
        long upserted = 0;
        long created = 0;
        long replaced = 0;
        Collection after = null;
        List<Candidate> part = new ArrayList<>();
        try (Stream<MbeirCandidate> rows = Jsonl.candidates(file); Progress bar = new Progress("stream " + file.getFileName(), 1)) {
            Iterator<MbeirCandidate> it = rows.iterator();
            while (it.hasNext()) {
                part.add(PoolCandidates.of(it.next(), path -> inline(imageRoot.resolve(path)), pools));
                lines++;
                if (part.size() == PER_CALL || !it.hasNext()) {
                    UpsertResponse r = Upserts.send(stub, chunks(collection, part, chunk));
                    upserted += r.getUpserted();
                    created += r.getCreated();
                    replaced += r.getReplaced();
                    after = r.getCollection();
                    part.clear();
                    bar.update(lines, Math.max(1, total), upserted + " written");
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (after == null) { // an empty file: one empty call, so the answer still describes the collection
            after = Upserts.send(stub, chunks(collection, part, chunk)).getCollection();
        }
        return new Written(lines, upserted, created, replaced, after);
    }

    /** One call's stream: the collection named in the first message only, as the Upsert contract asks. */
    private static List<UpsertRequest> chunks(String collection, List<Candidate> candidates, int chunk) {
        List<UpsertRequest> out = new ArrayList<>();
        for (int i = 0; i < candidates.size() || out.isEmpty(); i += chunk) {
            out.add(UpsertRequest.newBuilder().setCollection(out.isEmpty() ? collection : "")
                    .addAllCandidates(candidates.subList(i, Math.min(candidates.size(), i + chunk))).build());
        }
        return out;
    }

    private static Image inline(Path image) {
        try {
            return Image.newBuilder().setData(ByteString.copyFrom(Files.readAllBytes(image))).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long countLines(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }
}
