package dev.umarvel.index;

import java.io.IOException;
import java.util.List;

/**
 * A collection's vectors: upsert by did, delete, and top-k search by inner product (vectors are
 * L2-normalised, so it is the cosine), optionally restricted by labels. Two implementations share one
 * contract test suite: the embedded Lucene HNSW index and Milvus.
 */
public interface VectorIndex extends AutoCloseable {

    /**
     * One candidate's vector, the labels searches filter on, and its content (opaque to the index,
     * stored and returned with hits: what a reranker or a caller needs to see).
     */
    record Entry(String did, float[] vector, int datasetId, String modality, List<String> pools, String content) {
        public Entry {
            if (did == null || did.isEmpty()) {
                throw new IllegalArgumentException("did: empty");
            }
            pools = pools == null ? List.of() : List.copyOf(pools);
            content = content == null ? "" : content;
        }

        public Entry(String did, float[] vector, int datasetId, String modality, List<String> pools) {
            this(did, vector, datasetId, modality, pools, "");
        }
    }

    /** What an entry holds besides its vector: what re-indexing it with another model needs. */
    record Stored(String did, int datasetId, String modality, List<String> pools, String content) {}

    /** A search result: the did, its score (inner product) and its stored content. */
    record Hit(String did, float score, String content) {}

    /**
     * Restricts a search: a candidate matches when it has one of the {@code datasetIds}, one of the
     * {@code modalities} and one of the {@code pools}; an empty set does not restrict.
     */
    record Filter(java.util.Set<Integer> datasetIds, java.util.Set<String> modalities, java.util.Set<String> pools) {
        public static final Filter NONE = new Filter(java.util.Set.of(), java.util.Set.of(), java.util.Set.of());

        public Filter {
            datasetIds = datasetIds == null ? java.util.Set.of() : java.util.Set.copyOf(datasetIds);
            modalities = modalities == null ? java.util.Set.of() : java.util.Set.copyOf(modalities);
            pools = pools == null ? java.util.Set.of() : java.util.Set.copyOf(pools);
        }

        /** Candidates of one pool (M-BEIR's local-pool search). */
        public static Filter pool(String pool) {
            return new Filter(null, null, java.util.Set.of(pool));
        }

        public boolean isEmpty() {
            return datasetIds.isEmpty() && modalities.isEmpty() && pools.isEmpty();
        }
    }

    /** Vector length this index holds. */
    int dimension();

    /** Inserts or replaces by did; durable when this returns (a crash after it loses none of them). */
    void upsert(List<Entry> entries) throws IOException;

    /** Removes these dids (unknown ones are ignored); durable when this returns. */
    void delete(List<String> dids) throws IOException;

    /** The k best candidates for {@code query} among those matching {@code filter}, best first. */
    List<Hit> search(float[] query, int k, Filter filter) throws IOException;

    /**
     * As {@link #search(float[], int, Filter)}; without {@code withContent} the hits' content may be left empty (a
     * SINGLE search that returns no content needs dids and scores only, and reading content costs the embedded index a
     * stored-fields lookup per hit).
     */
    default List<Hit> search(float[] query, int k, Filter filter, boolean withContent) throws IOException {
        return search(query, k, filter);
    }

    /** The end of a {@link #bulkWrite()}. */
    interface BulkWrite extends AutoCloseable {
        /** Ends it; a second call does nothing. */
        @Override
        void close();
    }

    /**
     * Marks a bulk write (an import, a re-index) until the handle is closed: the embedded index merges its small
     * segments less often and more at once meanwhile, building fewer graphs; searches stay correct throughout. Bulk
     * writes may overlap: the index is back to its serving policy when the last one closes. Compact after it.
     */
    default BulkWrite bulkWrite() {
        return () -> {};
    }

    /**
     * Reorganises the index for search after a bulk write (an import, a re-index): the embedded index merges its
     * segments into one; Milvus compacts on its own, so there it does nothing. Durable when it returns.
     */
    default void compact() throws IOException {
    }

    /**
     * Whether some candidates wait for a {@link #compact()} to be searched as fast as the rest: the embedded index's
     * segments that a bulk write left without a graph (an import killed before its compaction). Milvus: never.
     */
    default boolean awaitsCompaction() throws IOException {
        return false;
    }

    /** Live candidates. */
    long size() throws IOException;

    /** Live candidates matching {@code filter}. */
    long count(Filter filter) throws IOException;

    /** The stored content of those of these dids that are present (absent ones are left out). */
    java.util.Map<String, String> contents(java.util.Collection<String> dids) throws IOException;

    /**
     * Up to {@code limit} entries whose did sorts after {@code afterDid} ("" from the first), in did
     * order: a scan that resumes from the last did it returned.
     */
    List<Stored> page(String afterDid, int limit) throws IOException;

    @Override
    void close() throws IOException;
}
