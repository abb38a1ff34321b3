package dev.umarvel.orchestrator;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.umarvel.index.HnswSettings;
import dev.umarvel.index.LuceneIndex;
import dev.umarvel.index.MilvusIndex;
import dev.umarvel.index.VectorIndex;
import io.grpc.Status;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.IndexParam;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The collections: their records in the store and their open indexes. A collection's name is the
 * alias clients use; behind it is one physical index version (an embedded index directory
 * {@code collections/<name>/v<k>}, or the Milvus collection {@code <name>_v<k>} behind the Milvus
 * alias {@code <name>}). The records are shared by every orchestrator replica on the store ({@link RecordStore}):
 * a swap or drop by one is seen by the others within {@code umarvel.index.record-refresh}. Several replicas
 * need the Milvus backend: an embedded index is one process's.
 */
@ApplicationScoped
public class Collections {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Collections.class);

    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private final Path root;
    private final OrchestratorConfig config;
    private final Map<String, VectorIndex> open = new ConcurrentHashMap<>();
    private final RecordStore records;
    private final Map<String, VectorIndex> staged = new ConcurrentHashMap<>();
    /** Collections queued for a compaction in the background (at most one queued per collection beside one running). */
    private final Set<String> compactions = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ExecutorService compactor = java.util.concurrent.Executors.newSingleThreadExecutor(
            new ThreadFactoryBuilder().setNameFormat("compactions").setDaemon(true).build());
    private volatile MilvusClientV2 milvus;

    @Inject
    public Collections(OrchestratorConfig config) {
        this.config = config;
        this.root = config.store().toAbsolutePath().normalize().resolve("collections");
        this.records = new RecordStore(root, config.index().recordRefresh());
    }

    /** The HNSW settings a request leaves unset, per backend. */
    record Hnsw(int m, int efConstruction, int efSearch, boolean int8) {
        static Hnsw defaults(OrchestratorConfig.Backend backend) {
            // embedded: M 32 and a search beam of max(80, k) (ef_search 0) hold recall@10 0.993 at 1M vectors and 1,516 queries/s on
            // one thread, where M 16 needed a beam of 160 for 0.976; int8 lost recall for no speed there (docs/benchmarks.md)
            return backend == OrchestratorConfig.Backend.MILVUS ? new Hnsw(16, 200, 200, false) : new Hnsw(32, 100, 0, false);
        }
    }

    Path dir(String name) {
        return root.resolve(name);
    }

    /** Creates a collection bound to {@code modelVersion}; ALREADY_EXISTS when the name is taken. */
    public CollectionRecord create(String name, String description, OrchestratorConfig.Backend backend, String metric, Hnsw hnsw,
            String modelVersion, int dimension) throws IOException {
        return records.write(name, current -> {
            if (current != null) {
                throw Status.ALREADY_EXISTS.withDescription("name: collection " + name + " exists").asRuntimeException();
            }
            if (backend == OrchestratorConfig.Backend.MILVUS && config.milvus().uri().isEmpty()) {
                throw Status.FAILED_PRECONDITION.withDescription("backend: MILVUS requested but umarvel.milvus.uri is not configured")
                        .asRuntimeException();
            }
            long now = System.currentTimeMillis();
            CollectionRecord r = new CollectionRecord(name, description, backend, metric, dimension, modelVersion, 1, hnsw.m(),
                    hnsw.efConstruction(), hnsw.efSearch(), now, now, Set.of(), hnsw.int8());
            VectorIndex index = openVersion(r, 1);
            if (backend == OrchestratorConfig.Backend.MILVUS) {
                MilvusIndex.pointAlias(milvus(), name, r.physicalName());
                index = openLive(r); // searches and writes go through the alias, so a swap moves them
            }
            open.put(name, index);
            return r; // written last: a crash before it leaves no half-made collection visible
        });
    }

    /** The record; NOT_FOUND when there is none. */
    public CollectionRecord describe(String name) {
        if (!NAME.matcher(name).matches()) {
            throw Status.NOT_FOUND.withDescription("collection: no collection named " + name).asRuntimeException();
        }
        return records.read(name);
    }

    public List<CollectionRecord> list() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<CollectionRecord> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.sorted().toList()) {
                if (Files.exists(d.resolve(CollectionRecord.FILE))) {
                    out.add(CollectionRecord.read(d));
                }
            }
        }
        return out;
    }

    /**
     * The live index of a collection, opened on first use (a Milvus one through the alias another replica may move). One
     * that an import killed before its compaction left with candidates awaiting their graph is compacted in the background.
     */
    public VectorIndex index(String name) {
        CollectionRecord r = describe(name);
        return open.computeIfAbsent(name, n -> {
            try {
                VectorIndex index = openLive(r);
                if (index.awaitsCompaction()) {
                    LOG.infof("collection %s: candidates an interrupted import left without a search graph; compacting", n);
                    compactLater(n);
                }
                return index;
            } catch (IOException e) {
                throw Status.UNAVAILABLE.withDescription("index of " + n + ": " + e.getMessage()).asRuntimeException();
            }
        });
    }

    /** Closes an index once the searches that took it a moment ago are done with it. */
    private static void retire(VectorIndex old) {
        java.util.concurrent.CompletableFuture.delayedExecutor(30, java.util.concurrent.TimeUnit.SECONDS).execute(() -> {
            try {
                old.close();
            } catch (IOException e) {
                // nothing reads it any more
            }
        });
    }

    private VectorIndex openLive(CollectionRecord r) throws IOException {
        if (r.backend() == OrchestratorConfig.Backend.MILVUS) {
            return MilvusIndex.open(milvus(), r.name(), r.dimension(), milvusOptions(r)); // through the alias
        }
        return openVersion(r, r.indexVersion());
    }

    /** Opens (creating) one physical version; the embedded one in its own directory. */
    VectorIndex openVersion(CollectionRecord r, int version) throws IOException {
        if (r.backend() == OrchestratorConfig.Backend.MILVUS) {
            return MilvusIndex.open(milvus(), r.physicalName(version), r.dimension(), milvusOptions(r));
        }
        return new LuceneIndex(dir(r.name()).resolve("v" + version), r.dimension(),
                new HnswSettings(r.m(), r.efConstruction(), r.efSearch(), r.int8()));
    }

    private static MilvusIndex.Options milvusOptions(CollectionRecord r) {
        MilvusIndex.Options d = MilvusIndex.Options.defaults();
        IndexParam.MetricType metric = r.metric().equals("INNER_PRODUCT") ? IndexParam.MetricType.IP : IndexParam.MetricType.COSINE;
        return new MilvusIndex.Options(metric, d.consistency(), r.m(), r.efConstruction(), r.efSearch(), d.maxPools(), d.maxContent());
    }

    /** Holds a collection for a Distill run; false when another run (on any replica) holds it. */
    boolean hold(String name) throws IOException {
        return records.acquire(name, "distill");
    }

    void release(String name) {
        records.release(name, "distill");
    }

    /** Refuses (or allows again) writes to a collection, on every replica, while it is re-indexed. */
    void blockWrites(String name, boolean blocked) throws IOException {
        if (!blocked) {
            records.release(name, "reindex");
        } else if (!records.acquire(name, "reindex")) {
            throw Status.ABORTED.withDescription("collection: another Distill run is re-indexing " + name).asRuntimeException();
        }
    }

    /** FAILED_PRECONDITION while a Distill run (on any replica) re-indexes the collection. */
    void requireWritable(String name) {
        if (records.held(name, "reindex")) {
            throw Status.FAILED_PRECONDITION.withDescription("collection: a Distill run is re-indexing " + name
                    + "; writes are refused until its alias swap (retry then)").asRuntimeException();
        }
    }

    /** A version of the collection that is not live yet (opened, created if new): what a re-index writes. */
    VectorIndex staged(String name, int version) throws IOException {
        CollectionRecord r = describe(name);
        if (version <= r.indexVersion()) {
            throw new IllegalStateException("version " + version + " of " + name + " is not after the live " + r.indexVersion());
        }
        VectorIndex index = staged.get(name + "/" + version);
        if (index == null) {
            index = openVersion(r, version);
            staged.put(name + "/" + version, index);
        }
        return index;
    }

    /** The staged version emptied first: a re-index that starts over must not keep what an abandoned attempt wrote. */
    VectorIndex freshStaged(String name, int version) throws IOException {
        CollectionRecord r = describe(name);
        VectorIndex earlier = staged.remove(name + "/" + version);
        if (earlier != null) {
            earlier.close();
        }
        if (r.backend() == OrchestratorConfig.Backend.MILVUS) {
            MilvusIndex.drop(milvus(), r.physicalName(version));
        } else {
            deleteTree(dir(name).resolve("v" + version));
        }
        return staged(name, version);
    }

    /**
     * Makes a staged version live, holding vectors of {@code modelVersion}: the Milvus alias moves (one
     * call moves every reader), then the record (the embedded backend's commit point). Idempotent.
     */
    CollectionRecord swap(String name, int version, String modelVersion) throws IOException {
        VectorIndex[] live = {null};
        CollectionRecord swapped = records.write(name, r -> {
            if (r == null) {
                throw Status.NOT_FOUND.withDescription("collection: no collection named " + name).asRuntimeException();
            }
            VectorIndex next = staged.remove(name + "/" + version);
            if (r.indexVersion() == version && r.modelVersion().equals(modelVersion)) {
                return r; // done by an earlier attempt
            }
            if (next == null) {
                next = openVersion(r, version);
            }
            if (r.backend() == OrchestratorConfig.Backend.MILVUS) {
                MilvusIndex.pointAlias(milvus(), name, r.physicalName(version));
                next.close(); // the live handle goes through the alias
                next = null;
            }
            live[0] = next;
            return r.withIndex(modelVersion, version, System.currentTimeMillis());
        });
        if (live[0] != null) { // the embedded index of the new version, once the record (its commit point) names it
            VectorIndex old = open.put(name, live[0]);
            if (old != null) {
                retire(old);
            }
        }
        return swapped;
    }

    /**
     * Compacts a collection's live index in the background (after a large Upsert stream); searches and writes go on
     * meanwhile. Returns at once; a collection already queued is not queued twice.
     */
    void compactLater(String name) {
        if (!compactions.add(name)) {
            return;
        }
        compactor.execute(() -> {
            compactions.remove(name);
            try {
                long t0 = System.nanoTime();
                index(name).compact();
                LOG.infof("collection %s compacted in %.1f s", name, (System.nanoTime() - t0) / 1e9);
            } catch (Exception e) { // dropped meanwhile, or storage trouble: the next large write tries again
                LOG.warnf("collection %s: background compaction failed: %s", name, e.getMessage());
            }
        });
    }

    /** Adds pool labels to the record (the per-pool counts read them). */
    void notePools(String name, Set<String> pools) throws IOException {
        if (describe(name).pools().containsAll(pools)) {
            return;
        }
        records.write(name, r -> r == null || r.pools().containsAll(pools) ? null : r.withPools(pools));
    }

    /** Drops a collection: its record first (so it is gone at once), then every index version. */
    public boolean drop(String name, boolean ifExists) throws IOException {
        requireWritable(name);
        return records.write(name, r -> {
            if (r == null) {
                if (ifExists) {
                    return false;
                }
                throw Status.NOT_FOUND.withDescription("name: no collection named " + name).asRuntimeException();
            }
            Files.delete(dir(name).resolve(CollectionRecord.FILE));
            VectorIndex index = open.remove(name);
            if (index != null) {
                index.close();
            }
            if (r.backend() == OrchestratorConfig.Backend.MILVUS) {
                MilvusIndex.dropAlias(milvus(), name);
                for (int v = 1; v <= r.indexVersion() + 1; v++) { // and a version a Distill run may have staged
                    MilvusIndex.drop(milvus(), r.physicalName(v));
                }
            }
            deleteTree(dir(name));
            return true;
        });
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    MilvusClientV2 milvus() {
        if (milvus == null) {
            synchronized (this) {
                if (milvus == null) {
                    String uri = config.milvus().uri().orElseThrow(() -> Status.FAILED_PRECONDITION
                            .withDescription("backend: MILVUS requested but umarvel.milvus.uri is not configured").asRuntimeException());
                    ConnectConfig.ConnectConfigBuilder c = ConnectConfig.builder().uri(uri);
                    config.milvus().token().ifPresent(c::token);
                    milvus = new MilvusClientV2(c.build());
                }
            }
        }
        return milvus;
    }

    @PreDestroy
    void close() throws IOException {
        compactor.shutdownNow(); // a merge in progress is abandoned: the index stays as its last commit left it
        for (VectorIndex index : open.values()) {
            index.close();
        }
        open.clear();
        records.close();
        if (milvus != null) {
            milvus.close();
        }
    }
}
