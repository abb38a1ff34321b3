package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.EmbedResponse;
import dev.umarvel.index.VectorIndex;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes candidates into a collection: embeds them in batches with the embedder (refusing a model
 * other than the collection's), then upserts vectors, labels and content; every batch is durable in
 * the index before the next is embedded, so an interrupted stream keeps what it acknowledged.
 */
@ApplicationScoped
public class Indexer {

    /** What a write did. */
    public record Written(long upserted, long created, long replaced, long embedNanos, long writeNanos) {
        Written plus(Written o) {
            return new Written(upserted + o.upserted, created + o.created, replaced + o.replaced, embedNanos + o.embedNanos,
                    writeNanos + o.writeNanos);
        }

        static final Written NONE = new Written(0, 0, 0, 0, 0);
    }

    private static final Pattern ITEM = Pattern.compile("^items\\[(\\d+)]");

    @Inject
    Collections collections;

    @Inject
    ModelClients models;

    @Inject
    OrchestratorConfig config;

    /**
     * Upserts one chunk of candidates (already validated); {@code where} prefixes error messages, e.g.
     * "chunk 4: ", and candidate indexes in the embedder's errors are mapped back to the chunk's.
     */
    public Written upsert(String collection, List<Candidate> candidates, String where) throws IOException {
        return upsert(collection, candidates, where, false);
    }

    /**
     * As {@link #upsert(String, List, String)}; with {@code mergePools} a did keeps the pool labels it
     * already has (an import of several local pools that share candidates labels each with all of them).
     */
    public Written upsert(String collection, List<Candidate> candidates, String where, boolean mergePools) throws IOException {
        CollectionRecord record = collections.describe(collection);
        collections.requireWritable(collection);
        VectorIndex index = collections.index(collection);
        Path store = config.store().toAbsolutePath().normalize();
        Path images = collections.dir(collection).resolve("images");
        int batch = Math.max(1, config.index().embedBatch());
        Written total = Written.NONE;
        for (int from = 0; from < candidates.size(); from += batch) {
            List<Candidate> part = candidates.subList(from, Math.min(candidates.size(), from + batch));
            long t0 = System.nanoTime();
            EmbedResponse embedded;
            try {
                embedded = embed(part, from, where, record.modelVersion());
            } catch (StatusRuntimeException e) {
                throw modelGone(record, e);
            }
            requireModel(record, embedded.getModelVersion());
            long t1 = System.nanoTime();
            java.util.Map<String, String> existing = index.contents(part.stream().map(Candidate::getDid).toList());
            List<VectorIndex.Entry> entries = new ArrayList<>(part.size());
            Set<String> pools = new HashSet<>();
            for (int i = 0; i < part.size(); i++) {
                Candidate c = part.get(i);
                if (mergePools && existing.containsKey(c.getDid()) && !existing.get(c.getDid()).isEmpty()) {
                    Set<String> labels = new java.util.TreeSet<>(CandidateCodec.decode(existing.get(c.getDid())).getPoolsList());
                    labels.addAll(c.getPoolsList());
                    c = c.toBuilder().clearPools().addAllPools(labels).build();
                }
                float[] v = ModelClients.vector(embedded, i);
                String modality = CandidateCodec.modalityOf(c.getContent()).name();
                entries.add(new VectorIndex.Entry(c.getDid(), v, c.hasDatasetId() ? c.getDatasetId() : -1, modality, c.getPoolsList(),
                        CandidateCodec.encode(c, store, images)));
                pools.addAll(c.getPoolsList());
            }
            index.upsert(entries);
            collections.notePools(collection, pools);
            long created = part.stream().map(Candidate::getDid).distinct().filter(d -> !existing.containsKey(d)).count();
            total = total.plus(new Written(part.size(), created, part.size() - created, t1 - t0, System.nanoTime() - t1));
        }
        return total;
    }

    private EmbedResponse embed(List<Candidate> part, int offset, String where, String modelVersion) {
        List<EmbedItem> items = new ArrayList<>(part.size());
        part.forEach(c -> items.add(EmbedItem.newBuilder().setCandidate(c.getContent()).build()));
        try {
            return models.embed(items, modelVersion);
        } catch (StatusRuntimeException e) {
            throw relabel(e, offset, where);
        }
    }

    /** The embedder names "items[3].candidate.text"; the caller sent "candidates[67].content.text". */
    static StatusRuntimeException relabel(StatusRuntimeException e, int offset, String where) {
        String description = e.getStatus().getDescription();
        if (e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT && e.getStatus().getCode() != Status.Code.NOT_FOUND
                || description == null) {
            return e;
        }
        Matcher m = ITEM.matcher(description);
        if (!m.find()) {
            return e.getStatus().withDescription(where + description).asRuntimeException();
        }
        String rest = description.substring(m.end()).replaceFirst("^\\.candidate", ".content");
        return e.getStatus().withDescription(where + "candidates[" + (offset + Integer.parseInt(m.group(1))) + "]" + rest)
                .asRuntimeException();
    }

    /** The embedder's refusal of the collection's model version, said in the collection's terms (other failures pass). */
    static StatusRuntimeException modelGone(CollectionRecord record, StatusRuntimeException e) {
        String d = e.getStatus().getDescription();
        if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION || d == null || !d.startsWith("model_version:")) {
            return e;
        }
        return Status.FAILED_PRECONDITION.withDescription("model: collection " + record.name() + " holds vectors of " + record.modelVersion()
                + ", which the embedder no longer serves (" + d.substring("model_version: ".length())
                + "); re-index it with Distill, or create a new collection").asRuntimeException();
    }

    static void requireModel(CollectionRecord record, String version) {
        if (!record.modelVersion().equals(version)) {
            throw Status.FAILED_PRECONDITION.withDescription("model: the embedder serves model " + version + " but collection "
                    + record.name() + " holds vectors of " + record.modelVersion()
                    + " (re-index it with Distill, or create a new collection)").asRuntimeException();
        }
    }

    /** Deletes dids; returns {deleted, not found}. */
    public long[] delete(String collection, List<String> dids) throws IOException {
        collections.requireWritable(collection);
        VectorIndex index = collections.index(collection);
        Set<String> present = index.contents(dids).keySet();
        index.delete(List.copyOf(present));
        long distinct = dids.stream().distinct().count();
        return new long[] {present.size(), distinct - present.size()};
    }
}
