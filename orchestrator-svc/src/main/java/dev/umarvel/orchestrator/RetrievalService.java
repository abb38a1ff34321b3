package dev.umarvel.orchestrator;

import com.google.protobuf.Timestamp;
import dev.umarvel.api.v1.Collection;
import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DeleteRequest;
import dev.umarvel.api.v1.DeleteResponse;
import dev.umarvel.api.v1.DescribeCollectionRequest;
import dev.umarvel.api.v1.DistillEvent;
import dev.umarvel.api.v1.DistillRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.DropCollectionResponse;
import dev.umarvel.api.v1.HnswParams;
import dev.umarvel.api.v1.ImportPoolProgress;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.IndexBackend;
import dev.umarvel.api.v1.ListCollectionsRequest;
import dev.umarvel.api.v1.ListCollectionsResponse;
import dev.umarvel.api.v1.Metric;
import dev.umarvel.api.v1.ModelInfo;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.api.v1.SearchResponse;
import dev.umarvel.api.v1.UpsertRequest;
import dev.umarvel.api.v1.UpsertResponse;
import dev.umarvel.index.VectorIndex;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;

/**
 * The Retrieval gRPC edge: validates requests (INVALID_ARGUMENT naming the field), maps protobuf to
 * the collections, the indexer and the searcher, and their records back to protobuf.
 */
@GrpcService
public class RetrievalService extends RetrievalGrpc.RetrievalImplBase {

    @Inject
    Collections collections;

    @Inject
    Indexer indexer;

    @Inject
    PoolImport imports;

    @Inject
    Searcher searcher;

    @Inject
    Distiller distiller;

    @Inject
    ModelClients models;

    @Inject
    OrchestratorConfig config;

    @Inject
    OrchestratorMetrics metrics;

    @Override
    @Blocking
    public void createCollection(CreateCollectionRequest r, StreamObserver<Collection> out) {
        Calls.unary(metrics, "CreateCollection", out, () -> {
            Requests.name(r.getName(), "name");
            if (r.getDescription().getBytes(StandardCharsets.UTF_8).length > 1024) {
                throw Requests.invalid("description", "at most 1024 bytes");
            }
            if (r.getBackend() == IndexBackend.UNRECOGNIZED) {
                throw Requests.invalid("backend", "unknown value " + r.getBackendValue());
            }
            if (r.getMetric() == Metric.UNRECOGNIZED) {
                throw Requests.invalid("metric", "unknown value " + r.getMetricValue());
            }
            OrchestratorConfig.Backend backend = switch (r.getBackend()) {
                case INDEX_BACKEND_EMBEDDED -> OrchestratorConfig.Backend.EMBEDDED;
                case INDEX_BACKEND_MILVUS -> OrchestratorConfig.Backend.MILVUS;
                default -> config.index().backend();
            };
            Collections.Hnsw d = Collections.Hnsw.defaults(backend);
            HnswParams h = r.getHnsw();
            if (h.getM() != 0) {
                Requests.range(h.getM(), 4, 128, "hnsw.m");
            }
            if (h.getEfConstruction() != 0) {
                Requests.range(h.getEfConstruction(), 8, 2048, "hnsw.ef_construction");
            }
            if (h.getEfSearch() != 0) {
                Requests.range(h.getEfSearch(), 1, 4096, "hnsw.ef_search");
            }
            if (h.getInt8() && backend == OrchestratorConfig.Backend.MILVUS) {
                throw Requests.invalid("hnsw.int8", "only the embedded index quantises its graph; a Milvus collection keeps float vectors");
            }
            Collections.Hnsw hnsw = new Collections.Hnsw(h.getM() == 0 ? d.m() : h.getM(),
                    h.getEfConstruction() == 0 ? d.efConstruction() : h.getEfConstruction(), h.getEfSearch() == 0 ? d.efSearch() : h.getEfSearch(),
                    h.getInt8());
            String metric = r.getMetric() == Metric.METRIC_INNER_PRODUCT ? "INNER_PRODUCT" : "COSINE";
            ModelInfo model = models.embedderModel();
            return proto(collections.create(r.getName(), r.getDescription(), backend, metric, hnsw, model.getVersion(), model.getDimension()));
        });
    }

    @Override
    @Blocking
    public void describeCollection(DescribeCollectionRequest r, StreamObserver<Collection> out) {
        Calls.unary(metrics, "DescribeCollection", out, () -> {
            if (r.getName().isEmpty()) {
                throw Requests.invalid("name", "empty");
            }
            return proto(collections.describe(r.getName()));
        });
    }

    @Override
    @Blocking
    public void listCollections(ListCollectionsRequest r, StreamObserver<ListCollectionsResponse> out) {
        Calls.unary(metrics, "ListCollections", out, () -> {
            ListCollectionsResponse.Builder b = ListCollectionsResponse.newBuilder();
            for (CollectionRecord c : collections.list()) {
                try {
                    b.addCollections(proto(c));
                } catch (StatusRuntimeException e) { // one unreachable index must not hide every collection
                    b.addCollections(record(c).setUnavailable(e.getStatus().getCode() + ": " + e.getStatus().getDescription()));
                }
            }
            return b.build();
        });
    }

    @Override
    @Blocking
    public void dropCollection(DropCollectionRequest r, StreamObserver<DropCollectionResponse> out) {
        Calls.unary(metrics, "DropCollection", out, () -> {
            if (r.getName().isEmpty()) {
                throw Requests.invalid("name", "empty");
            }
            return DropCollectionResponse.newBuilder().setDropped(collections.drop(r.getName(), r.getIfExists())).build();
        });
    }

    @Override
    public StreamObserver<UpsertRequest> upsert(StreamObserver<UpsertResponse> out) {
        return new UpsertStream(indexer, collections, metrics, out, this::proto, config.index().compactAfter());
    }

    @Override
    @Blocking
    public void delete(DeleteRequest r, StreamObserver<DeleteResponse> out) {
        Calls.unary(metrics, "Delete", out, () -> {
            if (r.getCollection().isEmpty()) {
                throw Requests.invalid("collection", "empty");
            }
            if (r.getDidsCount() == 0 || r.getDidsCount() > Requests.MAX_DELETE) {
                throw Requests.invalid("dids", "between 1 and " + Requests.MAX_DELETE + " dids, got " + r.getDidsCount());
            }
            for (int i = 0; i < r.getDidsCount(); i++) {
                if (r.getDids(i).isEmpty()) {
                    throw Requests.invalid("dids[" + i + "]", "empty");
                }
            }
            long[] counts = indexer.delete(r.getCollection(), r.getDidsList());
            return DeleteResponse.newBuilder().setDeleted(counts[0]).setNotFound(counts[1]).build();
        });
    }

    @Override
    @Blocking
    public void importPool(ImportPoolRequest r, StreamObserver<ImportPoolProgress> out) {
        Calls.stream(metrics, "ImportPool", out, () -> {
            if (r.getCollection().isEmpty()) {
                throw Requests.invalid("collection", "empty");
            }
            if (r.getPoolPath().isEmpty()) {
                throw Requests.invalid("pool_path", "empty");
            }
            if (r.getBatchSize() != 0) {
                Requests.range(r.getBatchSize(), 1, 1024, "batch_size");
            }
            metrics.watch(r.getCollection());
            imports.run(new PoolImport.Request(r.getCollection(), r.getPoolPath(), r.getImageRoot(), r.getPoolsList(),
                    r.getBatchSize() == 0 ? 64 : r.getBatchSize(), r.getRestart()), p -> {
                        ImportPoolProgress.Builder b = ImportPoolProgress.newBuilder().setLinesRead(p.linesRead()).setTotalLines(p.totalLines())
                                .setUpserted(p.upserted()).setSkipped(p.skipped()).setCandidatesPerSecond(p.perSecond()).setCompacting(p.phase() == PoolImport.Phase.COMPACTING)
                                .setDone(p.phase() == PoolImport.Phase.DONE);
                        if (p.phase() == PoolImport.Phase.DONE) {
                            b.setCollection(proto(collections.describe(r.getCollection())));
                        }
                        out.onNext(b.build());
                    });
        });
    }

    @Override
    @Blocking
    public void search(SearchRequest r, StreamObserver<SearchResponse> out) {
        if (!searchSlots.tryAcquire()) {
            // past saturation, a fast refusal keeps the admitted searches' latency bounded (and the heap flat)
            Calls.unary(metrics, "Search", out, () -> {
                throw Status.RESOURCE_EXHAUSTED.withDescription(config.search().maxInFlight()
                        + " searches in flight (umarvel.search.max-in-flight): retry with back-off").asRuntimeException();
            });
            return;
        }
        try {
            Calls.unary(metrics, "Search", out, () -> searcher.search(r));
        } finally {
            searchSlots.release();
        }
    }

    private Semaphore searchSlots;

    @PostConstruct
    void admission() {
        searchSlots = new Semaphore(config.search().maxInFlight());
    }

    @Override
    public void distill(DistillRequest r, StreamObserver<DistillEvent> out) {
        // a run lasts minutes: it gets its own thread rather than holding a request worker
        distiller.runs().execute(() -> Calls.stream(metrics, "Distill", out, () -> distiller.run(r, out::onNext, this::proto)));
    }

    /** A collection record with its live counts. */
    Collection proto(CollectionRecord c) {
        Collection.Builder b = record(c);
        try {
            VectorIndex index = collections.index(c.name());
            b.setCount(index.size());
            for (String pool : c.pools()) {
                b.putPoolCounts(pool, index.count(VectorIndex.Filter.pool(pool)));
            }
        } catch (IOException e) {
            throw Status.UNAVAILABLE.withDescription("index of " + c.name() + ": " + e.getMessage()).asRuntimeException();
        }
        metrics.watch(c.name());
        return b.build();
    }

    /** What the record says of a collection, without its index's counts. */
    private static Collection.Builder record(CollectionRecord c) {
        return Collection.newBuilder().setName(c.name()).setDescription(c.description())
                .setBackend(c.backend() == OrchestratorConfig.Backend.MILVUS ? IndexBackend.INDEX_BACKEND_MILVUS
                        : IndexBackend.INDEX_BACKEND_EMBEDDED)
                .setMetric(c.metric().equals("INNER_PRODUCT") ? Metric.METRIC_INNER_PRODUCT : Metric.METRIC_COSINE)
                .setDimension(c.dimension()).setModelVersion(c.modelVersion()).setIndexVersion(c.indexVersion())
                .setPhysicalName(c.physicalName())
                .setHnsw(HnswParams.newBuilder().setM(c.m()).setEfConstruction(c.efConstruction()).setEfSearch(c.efSearch())
                        .setInt8(c.int8()))
                .setCreatedAt(timestamp(c.createdAtMillis())).setSwappedAt(timestamp(c.swappedAtMillis()));
    }

    private static Timestamp timestamp(long millis) {
        return Timestamp.newBuilder().setSeconds(millis / 1000).setNanos((int) (millis % 1000) * 1_000_000).build();
    }
}
