package dev.umarvel.index;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import io.milvus.grpc.*;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An in-process server speaking Milvus' own gRPC service definition (the SDK's {@code io.milvus.grpc}
 * classes), for the subset {@link MilvusIndex} calls: connect, collections, index, load, upsert,
 * delete, flush, search, count query and aliases. Search is exact (every entity scored), so the
 * contract tests' expectations are exact too. Unknown collections and bad expressions answer with
 * Milvus' error statuses, which the SDK turns into its exceptions.
 */
public final class FakeMilvus implements AutoCloseable {

    /** One collection: its schema as the client sent it, its metric, and its entities by primary key. */
    static final class Collection {
        final String name;
        final ByteString schema;
        final CollectionSchema parsed;
        final int consistency;
        volatile String metric = "IP";
        final Map<String, String> indexParams = new ConcurrentHashMap<>();
        final Map<String, Map<String, Object>> entities = new ConcurrentHashMap<>();

        Collection(String name, ByteString schema, int consistency) throws InvalidProtocolBufferException {
            this.name = name;
            this.schema = schema;
            this.parsed = CollectionSchema.parseFrom(schema);
            this.consistency = consistency;
        }
    }

    private final Map<String, Collection> collections = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    /** Calls per RPC name: tests check what the client really asked for. */
    public final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Server server;

    public FakeMilvus() throws IOException {
        server = ServerBuilder.forPort(0).addService(new Service()).build().start();
    }

    /** The URI a {@code ConnectConfig} takes. */
    public String uri() {
        return "http://localhost:" + server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static Status ok() {
        return Status.newBuilder().setCode(0).setErrorCode(ErrorCode.Success).build();
    }

    static Status error(int code, String reason) {
        return Status.newBuilder().setCode(code).setErrorCode(ErrorCode.UnexpectedError).setReason(reason).build();
    }

    private Collection find(String name) {
        return collections.get(aliases.getOrDefault(name, name));
    }

    private static Status notFound(String name) {
        return error(100, "collection not found[collection=" + name + "]");
    }

    private final class Service implements MilvusServiceGrpc.AsyncService, io.grpc.BindableService {

        @Override
        public io.grpc.ServerServiceDefinition bindService() {
            return MilvusServiceGrpc.bindService(this);
        }

        private <T> void answer(String rpc, StreamObserver<T> out, java.util.function.Supplier<T> body) {
            calls.computeIfAbsent(rpc, k -> new AtomicInteger()).incrementAndGet();
            out.onNext(body.get());
            out.onCompleted();
        }

        @Override
        public void connect(ConnectRequest req, StreamObserver<ConnectResponse> out) {
            answer("Connect", out, () -> ConnectResponse.newBuilder().setStatus(ok()).setIdentifier(1).build());
        }

        @Override
        public void createCollection(CreateCollectionRequest req, StreamObserver<Status> out) {
            answer("CreateCollection", out, () -> {
                if (find(req.getCollectionName()) != null) {
                    return error(65535, "collection already exists: " + req.getCollectionName());
                }
                try {
                    collections.put(req.getCollectionName(), new Collection(req.getCollectionName(), req.getSchema(),
                            req.getConsistencyLevelValue()));
                    return ok();
                } catch (InvalidProtocolBufferException e) {
                    return error(1100, "bad schema: " + e.getMessage());
                }
            });
        }

        @Override
        public void hasCollection(HasCollectionRequest req, StreamObserver<BoolResponse> out) {
            answer("HasCollection", out, () -> BoolResponse.newBuilder().setStatus(ok()).setValue(find(req.getCollectionName()) != null)
                    .build());
        }

        @Override
        public void describeCollection(DescribeCollectionRequest req, StreamObserver<DescribeCollectionResponse> out) {
            answer("DescribeCollection", out, () -> {
                Collection c = find(req.getCollectionName());
                if (c == null) {
                    return DescribeCollectionResponse.newBuilder().setStatus(notFound(req.getCollectionName())).build();
                }
                List<String> own = aliases.entrySet().stream().filter(a -> a.getValue().equals(c.name)).map(Map.Entry::getKey).toList();
                return DescribeCollectionResponse.newBuilder().setStatus(ok()).setSchema(c.parsed).setCollectionName(c.name)
                        .setCollectionID(c.name.hashCode()).setShardsNum(1).addAllAliases(own)
                        .setConsistencyLevelValue(c.consistency).build();
            });
        }

        @Override
        public void dropCollection(DropCollectionRequest req, StreamObserver<Status> out) {
            answer("DropCollection", out, () -> {
                if (aliases.containsValue(req.getCollectionName())) {
                    return error(65535, "cannot drop the collection via alias = " + req.getCollectionName());
                }
                return collections.remove(req.getCollectionName()) == null ? notFound(req.getCollectionName()) : ok();
            });
        }

        @Override
        public void showCollections(ShowCollectionsRequest req, StreamObserver<ShowCollectionsResponse> out) {
            answer("ShowCollections", out, () -> ShowCollectionsResponse.newBuilder().setStatus(ok())
                    .addAllCollectionNames(collections.keySet().stream().sorted().toList()).build());
        }

        @Override
        public void createIndex(CreateIndexRequest req, StreamObserver<Status> out) {
            answer("CreateIndex", out, () -> {
                Collection c = find(req.getCollectionName());
                if (c == null) {
                    return notFound(req.getCollectionName());
                }
                req.getExtraParamsList().forEach(kv -> c.indexParams.put(kv.getKey(), kv.getValue()));
                c.metric = c.indexParams.getOrDefault("metric_type", c.metric);
                return ok();
            });
        }

        @Override
        public void loadCollection(LoadCollectionRequest req, StreamObserver<Status> out) {
            answer("LoadCollection", out, () -> find(req.getCollectionName()) == null ? notFound(req.getCollectionName()) : ok());
        }

        @Override
        public void getLoadState(GetLoadStateRequest req, StreamObserver<GetLoadStateResponse> out) {
            answer("GetLoadState", out, () -> GetLoadStateResponse.newBuilder().setStatus(ok())
                    .setState(find(req.getCollectionName()) == null ? LoadState.LoadStateNotExist : LoadState.LoadStateLoaded).build());
        }

        @Override
        public void upsert(UpsertRequest req, StreamObserver<MutationResult> out) {
            answer("Upsert", out, () -> write(req.getCollectionName(), req.getFieldsDataList(), req.getNumRows()));
        }

        @Override
        public void insert(InsertRequest req, StreamObserver<MutationResult> out) {
            answer("Insert", out, () -> write(req.getCollectionName(), req.getFieldsDataList(), req.getNumRows()));
        }

        @Override
        public void delete(DeleteRequest req, StreamObserver<MutationResult> out) {
            answer("Delete", out, () -> {
                Collection c = find(req.getCollectionName());
                if (c == null) {
                    return MutationResult.newBuilder().setStatus(notFound(req.getCollectionName())).build();
                }
                Predicate<Map<String, Object>> match;
                try {
                    match = FakeMilvusExpression.parse(req.getExpr());
                } catch (IllegalArgumentException e) {
                    return MutationResult.newBuilder().setStatus(error(1100, e.getMessage())).build();
                }
                List<String> gone = c.entities.entrySet().stream().filter(e -> match.test(e.getValue())).map(Map.Entry::getKey).toList();
                gone.forEach(c.entities::remove);
                return MutationResult.newBuilder().setStatus(ok()).setDeleteCnt(gone.size()).setTimestamp(System.nanoTime()).build();
            });
        }

        @Override
        public void flush(FlushRequest req, StreamObserver<FlushResponse> out) {
            answer("Flush", out, () -> FlushResponse.newBuilder().setStatus(ok()).build());
        }

        @Override
        public void search(SearchRequest req, StreamObserver<SearchResults> out) {
            answer("Search", out, () -> FakeMilvusSearch.search(find(req.getCollectionName()), req));
        }

        @Override
        public void query(QueryRequest req, StreamObserver<QueryResults> out) {
            answer("Query", out, () -> {
                Collection c = find(req.getCollectionName());
                if (c == null) {
                    return QueryResults.newBuilder().setStatus(notFound(req.getCollectionName())).build();
                }
                Predicate<Map<String, Object>> match;
                try {
                    match = FakeMilvusExpression.parse(req.getExpr());
                } catch (IllegalArgumentException e) {
                    return QueryResults.newBuilder().setStatus(error(1100, e.getMessage())).build();
                }
                List<Map<String, Object>> found = c.entities.values().stream().filter(match).toList();
                long limit = req.getQueryParamsList().stream().filter(kv -> kv.getKey().equals("limit")).mapToLong(kv -> Long.parseLong(kv.getValue()))
                        .findFirst().orElse(Long.MAX_VALUE);
                if (limit < Long.MAX_VALUE) { // as Milvus does for a query with a limit: the first ones in primary-key order
                    String pk = c.parsed.getFieldsList().stream().filter(FieldSchema::getIsPrimaryKey).findFirst().orElseThrow().getName();
                    found = found.stream().sorted(java.util.Comparator.comparing(e -> (String) e.get(pk))).limit(limit).toList();
                }
                if (req.getOutputFieldsList().equals(List.of("count(*)"))) {
                    return QueryResults.newBuilder().setStatus(ok()).setCollectionName(c.name).addOutputFields("count(*)")
                            .addFieldsData(FieldData.newBuilder().setFieldName("count(*)").setType(DataType.Int64)
                                    .setScalars(ScalarField.newBuilder().setLongData(LongArray.newBuilder().addData(found.size())))).build();
                }
                QueryResults.Builder columns = QueryResults.newBuilder().setStatus(ok()).setCollectionName(c.name)
                        .addAllOutputFields(req.getOutputFieldsList());
                for (String field : req.getOutputFieldsList()) {
                    Object sample = found.isEmpty() ? "" : found.get(0).get(field);
                    List<Object> values = found.stream().map(e -> e.get(field)).toList();
                    if (sample instanceof String) {
                        columns.addFieldsData(FakeMilvusSearch.strings(field, values.stream().map(v -> (String) v).toList()));
                    } else if (sample instanceof Long) {
                        columns.addFieldsData(FieldData.newBuilder().setFieldName(field).setType(DataType.Int64).setScalars(ScalarField
                                .newBuilder().setLongData(LongArray.newBuilder().addAllData(values.stream().map(v -> (Long) v).toList()))));
                    } else if (sample instanceof List<?>) {
                        ArrayArray.Builder arrays = ArrayArray.newBuilder().setElementType(DataType.VarChar);
                        values.forEach(v -> arrays.addData(ScalarField.newBuilder().setStringData(StringArray.newBuilder()
                                .addAllData(((List<?>) v).stream().map(String::valueOf).toList()))));
                        columns.addFieldsData(FieldData.newBuilder().setFieldName(field).setType(DataType.Array)
                                .setScalars(ScalarField.newBuilder().setArrayData(arrays)));
                    } else {
                        return QueryResults.newBuilder().setStatus(error(1100, "the fake cannot return field " + field)).build();
                    }
                }
                return columns.build();
            });
        }

        @Override
        public void createAlias(CreateAliasRequest req, StreamObserver<Status> out) {
            answer("CreateAlias", out, () -> {
                if (!collections.containsKey(req.getCollectionName())) {
                    return notFound(req.getCollectionName());
                }
                return aliases.putIfAbsent(req.getAlias(), req.getCollectionName()) == null ? ok()
                        : error(65535, "alias exists and already aliased to another collection, alias: " + req.getAlias());
            });
        }

        @Override
        public void alterAlias(AlterAliasRequest req, StreamObserver<Status> out) {
            answer("AlterAlias", out, () -> {
                if (!collections.containsKey(req.getCollectionName())) {
                    return notFound(req.getCollectionName());
                }
                return aliases.replace(req.getAlias(), req.getCollectionName()) == null ? error(1602, "alias not found: " + req.getAlias())
                        : ok();
            });
        }

        @Override
        public void dropAlias(DropAliasRequest req, StreamObserver<Status> out) {
            answer("DropAlias", out, () -> aliases.remove(req.getAlias()) == null ? error(1602, "alias not found: " + req.getAlias()) : ok());
        }

        @Override
        public void describeAlias(DescribeAliasRequest req, StreamObserver<DescribeAliasResponse> out) {
            answer("DescribeAlias", out, () -> {
                String target = aliases.get(req.getAlias());
                return target == null ? DescribeAliasResponse.newBuilder().setStatus(error(1602, "alias not found: " + req.getAlias())).build()
                        : DescribeAliasResponse.newBuilder().setStatus(ok()).setAlias(req.getAlias()).setCollection(target).build();
            });
        }
    }

    /** Upsert: every row replaces the entity with its primary key; a row that does not fit the schema fails the batch. */
    private MutationResult write(String name, List<FieldData> columns, int rows) {
        Collection c = find(name);
        if (c == null) {
            return MutationResult.newBuilder().setStatus(notFound(name)).build();
        }
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            batch.add(new LinkedHashMap<>());
        }
        String primary = c.parsed.getFieldsList().stream().filter(FieldSchema::getIsPrimaryKey).findFirst().orElseThrow().getName();
        for (FieldData column : columns) {
            List<?> values = FakeMilvusSearch.column(column, rows);
            if (values.size() != rows) {
                return MutationResult.newBuilder().setStatus(error(1100, "the num_rows (" + rows + ") of field " + column.getFieldName()
                        + " is not equal to passed num_rows")).build();
            }
            for (int i = 0; i < rows; i++) {
                batch.get(i).put(column.getFieldName(), values.get(i));
            }
        }
        for (FieldSchema f : c.parsed.getFieldsList()) {
            if (rows > 0 && !batch.get(0).containsKey(f.getName())) {
                return MutationResult.newBuilder().setStatus(error(1100, "field " + f.getName() + " not passed")).build();
            }
        }
        batch.forEach(e -> c.entities.put((String) e.get(primary), e));
        return MutationResult.newBuilder().setStatus(ok()).setUpsertCnt(rows).setTimestamp(System.nanoTime()).build();
    }

    /** The parameters the client created a collection's index with (index_type, metric_type, params...). */
    public Map<String, String> indexParams(String name) {
        return Map.copyOf(find(name).indexParams);
    }

    /** Live entities of a collection (or alias): what tests check against after writes. */
    public int size(String name) {
        Collection c = find(name);
        return c == null ? -1 : c.entities.size();
    }

    static float[] floats(ByteString bytes) {
        ByteBuffer b = bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }

    static Comparator<Map.Entry<String, Float>> bestFirst() {
        return Map.Entry.<String, Float>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey());
    }
}
