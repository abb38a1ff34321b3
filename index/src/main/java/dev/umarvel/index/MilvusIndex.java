package dev.umarvel.index;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.exception.MilvusClientException;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.GetLoadStateReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.utility.request.AlterAliasReq;
import io.milvus.v2.service.utility.request.CreateAliasReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A collection in Milvus through the official SDK's {@link MilvusClientV2}: one entity per candidate
 * (did primary key, vector, dataset id, modality, pools), an HNSW index, searched with the filters as
 * a boolean expression. {@code name} may be an alias: searches and writes follow it, so a re-index
 * fills a new collection and {@link #pointAlias} swaps readers over without downtime.
 */
public final class MilvusIndex implements VectorIndex {

    /** How the collection is built and searched. */
    public record Options(
            IndexParam.MetricType metric,   // IP on our unit vectors is the cosine, without Milvus normalising them again
            ConsistencyLevel consistency,   // STRONG: a search sees every acknowledged upsert (what the contract tests ask)
            int m,                          // HNSW graph degree, the same as the embedded index's
            int efConstruction,             // build beam: recall at 1M vectors over build time
            int efSearch,                   // search beam: recall@10 >= 0.98 at our sizes; raised to k when k is larger
            int maxPools,                   // capacity of the pools array field (a candidate is in few pools)
            int maxContent) {               // bytes of a candidate's stored content: Milvus' VarChar limit
        public static Options defaults() {
            return new Options(IndexParam.MetricType.IP, ConsistencyLevel.STRONG, 16, 200, 200, 64, 65_535);
        }
    }

    static final String DID = "did";
    static final String VECTOR = "vector";
    static final String DATASET = "dataset_id";
    static final String MODALITY = "modality";
    static final String POOLS = "pools";
    static final String CONTENT = "content";

    private final MilvusClientV2 client;
    private final String name;
    private final int dimension;
    private final Options options;

    private MilvusIndex(MilvusClientV2 client, String name, int dimension, Options options) {
        this.client = client;
        this.name = name;
        this.dimension = dimension;
        this.options = options;
    }

    /** Opens the collection (or alias) {@code name}, creating, indexing and loading it when absent. */
    public static MilvusIndex open(MilvusClientV2 client, String name, int dimension, Options options) throws IOException {
        try {
            if (!client.hasCollection(HasCollectionReq.builder().collectionName(name).build())) {
                create(client, name, dimension, options);
            }
            Integer stored = client.describeCollection(DescribeCollectionReq.builder().collectionName(name).build())
                    .getCollectionSchema().getField(VECTOR).getDimension();
            if (stored == null || stored != dimension) {
                throw new IllegalArgumentException("dimension: collection " + name + " holds " + stored + "-d vectors, not " + dimension);
            }
            client.loadCollection(LoadCollectionReq.builder().collectionName(name).build()); // waits until loaded
            return new MilvusIndex(client, name, dimension, options);
        } catch (MilvusClientException e) {
            throw new IOException("milvus: " + e.getMessage(), e);
        }
    }

    private static void create(MilvusClientV2 client, String name, int dimension, Options options) {
        CreateCollectionReq.CollectionSchema schema = CreateCollectionReq.CollectionSchema.builder().enableDynamicField(false).build();
        schema.addField(AddFieldReq.builder().fieldName(DID).dataType(DataType.VarChar).maxLength(512).isPrimaryKey(true).autoID(false)
                .build());
        schema.addField(AddFieldReq.builder().fieldName(VECTOR).dataType(DataType.FloatVector).dimension(dimension).build());
        schema.addField(AddFieldReq.builder().fieldName(DATASET).dataType(DataType.Int64).build());
        schema.addField(AddFieldReq.builder().fieldName(MODALITY).dataType(DataType.VarChar).maxLength(32).build());
        schema.addField(AddFieldReq.builder().fieldName(POOLS).dataType(DataType.Array).elementType(DataType.VarChar)
                .maxCapacity(options.maxPools()).maxLength(256).build());
        schema.addField(AddFieldReq.builder().fieldName(CONTENT).dataType(DataType.VarChar).maxLength(options.maxContent()).build());
        IndexParam hnsw = IndexParam.builder().fieldName(VECTOR).indexType(IndexParam.IndexType.HNSW).metricType(options.metric())
                .extraParams(Map.of("M", options.m(), "efConstruction", options.efConstruction())).build();
        client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(schema).indexParams(List.of(hnsw))
                .consistencyLevel(options.consistency()).build());
    }

    /** Points {@code alias} at {@code collection} (creating the alias the first time): readers move over atomically. */
    public static void pointAlias(MilvusClientV2 client, String alias, String collection) throws IOException {
        try {
            // has_collection answers for aliases too (and does not log an error when there is none, as describe_alias does)
            boolean exists = client.hasCollection(HasCollectionReq.builder().collectionName(alias).build());
            if (exists) {
                client.alterAlias(AlterAliasReq.builder().alias(alias).collectionName(collection).build());
            } else {
                client.createAlias(CreateAliasReq.builder().alias(alias).collectionName(collection).build());
            }
        } catch (MilvusClientException e) {
            throw new IOException("milvus: " + e.getMessage(), e);
        }
    }

    /** The collection an alias points at (the name itself when it is a collection). */
    public static String resolve(MilvusClientV2 client, String name) {
        return client.describeCollection(DescribeCollectionReq.builder().collectionName(name).build()).getCollectionName();
    }

    /** Drops an alias; one that is not there (a server that lost it, an earlier drop) is done. */
    public static void dropAlias(MilvusClientV2 client, String alias) throws IOException {
        try {
            if (client.hasCollection(HasCollectionReq.builder().collectionName(alias).build())) { // answers for aliases too
                client.dropAlias(io.milvus.v2.service.utility.request.DropAliasReq.builder().alias(alias).build());
            }
        } catch (MilvusClientException e) {
            throw new IOException("milvus: " + e.getMessage(), e);
        }
    }

    /** Drops a collection and its data (not an alias: drop what the alias no longer points at). */
    public static void drop(MilvusClientV2 client, String collection) throws IOException {
        try {
            if (!client.hasCollection(HasCollectionReq.builder().collectionName(collection).build())) {
                return; // dropping what is not there is done
            }
            client.dropCollection(DropCollectionReq.builder().collectionName(collection).build());
        } catch (MilvusClientException e) {
            throw new IOException("milvus: " + e.getMessage(), e);
        }
    }

    /** Whether the collection is loaded for search. */
    public boolean loaded() {
        return client.getLoadState(GetLoadStateReq.builder().collectionName(name).build());
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public void upsert(List<Entry> entries) throws IOException {
        if (entries.isEmpty()) {
            return;
        }
        List<JsonObject> rows = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            check(e.vector());
            JsonObject row = new JsonObject();
            row.addProperty(DID, e.did());
            JsonArray vector = new JsonArray(dimension);
            for (float x : e.vector()) {
                vector.add(x);
            }
            row.add(VECTOR, vector);
            row.addProperty(DATASET, e.datasetId());
            row.addProperty(MODALITY, e.modality() == null ? "" : e.modality());
            JsonArray pools = new JsonArray();
            e.pools().forEach(pools::add);
            row.add(POOLS, pools);
            if (e.content().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > options.maxContent()) {
                throw new IllegalArgumentException("content of " + e.did() + ": over " + options.maxContent() + " bytes");
            }
            row.addProperty(CONTENT, e.content());
            rows.add(row);
        }
        try {
            client.upsert(UpsertReq.builder().collectionName(name).data(rows).build()); // acknowledged = in Milvus' write-ahead log
        } catch (MilvusClientException ex) {
            throw new IOException("milvus: " + ex.getMessage(), ex);
        }
    }

    @Override
    public void delete(List<String> dids) throws IOException {
        if (dids.isEmpty()) {
            return;
        }
        try {
            client.delete(DeleteReq.builder().collectionName(name).filter(MilvusFilter.didIn(dids)).build());
        } catch (MilvusClientException ex) {
            throw new IOException("milvus: " + ex.getMessage(), ex);
        }
    }

    @Override
    public List<Hit> search(float[] query, int k, Filter filter) throws IOException {
        check(query);
        if (k < 1) {
            throw new IllegalArgumentException("k: must be at least 1, got " + k);
        }
        try {
            SearchResp resp = client.search(SearchReq.builder().collectionName(name).annsField(VECTOR).data(List.of(new FloatVec(query)))
                    .limit(k).filter(MilvusFilter.of(filter)).metricType(options.metric()).consistencyLevel(options.consistency())
                    .outputFields(List.of(CONTENT)).searchParams(Map.of("ef", Math.max(k, options.efSearch()))).build());
            List<Hit> hits = new ArrayList<>(k);
            for (SearchResp.SearchResult r : resp.getSearchResults().get(0)) {
                Object content = r.getEntity() == null ? null : r.getEntity().get(CONTENT);
                hits.add(new Hit(String.valueOf(r.getId()), r.getScore(), content == null ? "" : content.toString()));
            }
            return hits;
        } catch (MilvusClientException ex) {
            throw new IOException("milvus: " + ex.getMessage(), ex);
        }
    }

    @Override
    public long size() throws IOException {
        return count(Filter.NONE);
    }

    @Override
    public java.util.Map<String, String> contents(java.util.Collection<String> dids) throws IOException {
        if (dids.isEmpty()) {
            return java.util.Map.of();
        }
        try {
            java.util.Map<String, String> out = new java.util.HashMap<>();
            client.query(QueryReq.builder().collectionName(name).filter(MilvusFilter.didIn(dids)).outputFields(List.of(DID, CONTENT))
                    .consistencyLevel(options.consistency()).build()).getQueryResults()
                    .forEach(r -> out.put(String.valueOf(r.getEntity().get(DID)), String.valueOf(r.getEntity().get(CONTENT))));
            return out;
        } catch (MilvusClientException ex) {
            throw new IOException("milvus: " + ex.getMessage(), ex);
        }
    }

    @Override
    public List<Stored> page(String afterDid, int limit) throws IOException {
        try {
            // a query with a limit answers the first entities in primary-key order (what Milvus' own query iterator relies on)
            List<QueryResp.QueryResult> rows = client.query(QueryReq.builder().collectionName(name).filter(DID + " > " + MilvusFilter.quote(afterDid))
                    .limit(limit).outputFields(List.of(DID, DATASET, MODALITY, POOLS, CONTENT)).consistencyLevel(options.consistency()).build())
                    .getQueryResults();
            List<Stored> out = new ArrayList<>(rows.size());
            for (QueryResp.QueryResult r : rows) {
                Map<String, Object> e = r.getEntity();
                List<String> pools = e.get(POOLS) instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
                Object content = e.get(CONTENT);
                out.add(new Stored(String.valueOf(e.get(DID)), ((Number) e.get(DATASET)).intValue(), String.valueOf(e.get(MODALITY)), pools,
                        content == null ? "" : content.toString()));
            }
            out.sort(java.util.Comparator.comparing(Stored::did));
            return out;
        } catch (MilvusClientException ex) {
            throw new IOException("milvus: " + ex.getMessage(), ex);
        }
    }

    @Override
    public long count(Filter filter) throws IOException {
        try {
            Object count = client.query(QueryReq.builder().collectionName(name).filter(MilvusFilter.of(filter)).outputFields(List.of("count(*)"))
                    .consistencyLevel(options.consistency()).build()).getQueryResults().get(0).getEntity().get("count(*)");
            return ((Number) count).longValue();
        } catch (MilvusClientException ex) {
            throw new IOException("milvus: " + ex.getMessage(), ex);
        }
    }

    /** Seals what was written into segments (after a bulk import; not needed for durability). */
    public void flush() throws IOException {
        try {
            client.flush(FlushReq.builder().collectionNames(List.of(name)).build());
        } catch (MilvusClientException ex) {
            throw new IOException("milvus: " + ex.getMessage(), ex);
        }
    }

    private void check(float[] vector) {
        if (vector == null || vector.length != dimension) {
            throw new IllegalArgumentException("vector: expected " + dimension + " values, got " + (vector == null ? 0 : vector.length));
        }
        for (float x : vector) {
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("vector: not finite");
            }
        }
    }

    /** The client is the caller's (one per process, shared by the collections). */
    @Override
    public void close() {}
}
