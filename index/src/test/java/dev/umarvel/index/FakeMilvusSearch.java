package dev.umarvel.index;

import io.milvus.grpc.DataType;
import io.milvus.grpc.ErrorCode;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.IDs;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SearchResultData;
import io.milvus.grpc.SearchResults;
import io.milvus.grpc.Status;
import io.milvus.grpc.StringArray;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** The fake's exact search and its decoding of the column-wise rows the SDK sends. */
final class FakeMilvusSearch {

    private FakeMilvusSearch() {}

    /** Every query scored against every entity that matches the expression; the top k by the collection's metric. */
    static SearchResults search(FakeMilvus.Collection c, SearchRequest req) {
        if (c == null) {
    return SearchResults.newBuilder().setStatus(FakeMilvus.error(100, "collection not found[collection=" + req.getCollectionName() + "]"))
                    .build();
        }
        Map<String, String> params = new java.util.HashMap<>();
        for (KeyValuePair kv : req.getSearchParamsList()) {
            params.put(kv.getKey(), kv.getValue());
        }
        int k = Integer.parseInt(params.getOrDefault("topk", "10"));
        String metric = params.getOrDefault("metric_type", c.metric);
        if (!metric.equals(c.metric)) {
    return SearchResults.newBuilder().setStatus(FakeMilvus.error(1100, "metric type not match: invalid parameter[expected=" + c.metric
                    + "][actual=" + metric + "]")).build();
        }
        Predicate<Map<String, Object>> match;
        List<float[]> queries = new ArrayList<>();
        try {
            match = FakeMilvusExpression.parse(req.getDsl());
            PlaceholderGroup group = PlaceholderGroup.parseFrom(req.getPlaceholderGroup());
            group.getPlaceholders(0).getValuesList().forEach(v -> queries.add(FakeMilvus.floats(v)));
        } catch (IllegalArgumentException | com.google.protobuf.InvalidProtocolBufferException e) {
    return SearchResults.newBuilder().setStatus(FakeMilvus.error(1100, e.getMessage())).build();
        }
        String vectorField = params.getOrDefault("anns_field", "vector");
        SearchResultData.Builder data = SearchResultData.newBuilder().setNumQueries(queries.size()).setTopK(k)
                .setPrimaryFieldName(MilvusIndex.DID);
        StringArray.Builder ids = StringArray.newBuilder();
        List<String> outputs = req.getOutputFieldsList();
        Map<String, List<String>> outputValues = new java.util.LinkedHashMap<>();
        outputs.forEach(f -> outputValues.put(f, new ArrayList<>()));
        for (float[] q : queries) {
            List<Map.Entry<String, Float>> scored = new ArrayList<>();
            for (Map<String, Object> e : c.entities.values()) {
                if (match.test(e)) {
                    scored.add(new AbstractMap.SimpleEntry<>((String) e.get(MilvusIndex.DID), score(metric, q, (float[]) e.get(vectorField))));
                }
            }
            scored.sort(FakeMilvus.bestFirst());
            List<Map.Entry<String, Float>> top = scored.subList(0, Math.min(k, scored.size()));
            top.forEach(h -> {
                ids.addData(h.getKey());
                data.addScores(h.getValue());
                outputValues.forEach((f, values) -> values.add(String.valueOf(c.entities.get(h.getKey()).get(f))));
            });
            data.addTopks(top.size());
        }
        outputValues.forEach((f, values) -> data.addFieldsData(strings(f, values)));
        data.addAllOutputFields(outputs);
        return SearchResults.newBuilder().setStatus(Status.newBuilder().setCode(0).setErrorCode(ErrorCode.Success))
                .setCollectionName(c.name).setResults(data.setIds(IDs.newBuilder().setStrId(ids))).build();
    }

    private static float score(String metric, float[] q, float[] v) {
        double dot = 0;
        double qq = 0;
        double vv = 0;
        for (int i = 0; i < q.length; i++) {
            dot += q[i] * v[i];
            qq += q[i] * q[i];
            vv += v[i] * v[i];
        }
        return (float) (metric.equals("COSINE") ? dot / Math.sqrt(qq * vv) : dot);
    }

    /** A VarChar column. */
    static FieldData strings(String field, List<String> values) {
        return FieldData.newBuilder().setFieldName(field).setType(DataType.VarChar)
                .setScalars(ScalarField.newBuilder().setStringData(StringArray.newBuilder().addAllData(values))).build();
    }

    /** One column of an insert or upsert as Java values: String, Long, float[] or List of String. */
    static List<?> column(FieldData f, int rows) {
        if (f.getType() == DataType.FloatVector) {
            int dim = (int) f.getVectors().getDim();
            List<Float> flat = f.getVectors().getFloatVector().getDataList();
            List<float[]> out = new ArrayList<>();
            for (int r = 0; r * dim < flat.size(); r++) {
                float[] v = new float[dim];
                for (int i = 0; i < dim; i++) {
                    v[i] = flat.get(r * dim + i);
                }
                out.add(v);
            }
            return out;
        }
        ScalarField s = f.getScalars();
        return switch (f.getType()) {
            case VarChar, String -> s.getStringData().getDataList();
            case Int64 -> s.getLongData().getDataList();
            case Int32, Int16, Int8 -> s.getIntData().getDataList().stream().map(Integer::longValue).toList();
            case Array -> s.getArrayData().getDataList().stream().map(a -> a.getStringData().getDataList()).toList();
            default -> throw new IllegalArgumentException("the fake stores no " + f.getType() + " fields");
        };
    }
}
