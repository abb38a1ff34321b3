package dev.umarvel.index;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@link VectorIndex.Filter}s as Milvus boolean expressions. The grammar used is small on purpose:
 * terms {@code field in [v, ...]} and {@code ARRAY_CONTAINS_ANY(pools, ["p", ...])} joined by
 * {@code &&}; strings are double-quoted with {@code \} escaping {@code "} and {@code \}, so a did or a
 * pool name can never change the expression's meaning.
 */
final class MilvusFilter {

    private MilvusFilter() {}

    /** The expression of a filter; empty when it does not restrict. */
    static String of(VectorIndex.Filter filter) {
        List<String> terms = new ArrayList<>();
        if (!filter.datasetIds().isEmpty()) {
            terms.add(MilvusIndex.DATASET + " in [" + filter.datasetIds().stream().sorted().map(String::valueOf)
                    .collect(Collectors.joining(", ")) + "]");
        }
        if (!filter.modalities().isEmpty()) {
            terms.add(MilvusIndex.MODALITY + " in " + strings(filter.modalities()));
        }
        if (!filter.pools().isEmpty()) {
            terms.add("ARRAY_CONTAINS_ANY(" + MilvusIndex.POOLS + ", " + strings(filter.pools()) + ")");
        }
        return String.join(" && ", terms);
    }

    /** The expression selecting these primary keys. */
    static String didIn(Collection<String> dids) {
        return MilvusIndex.DID + " in " + strings(dids);
    }

    static String strings(Collection<String> values) {
        return values.stream().sorted().map(MilvusFilter::quote).collect(Collectors.joining(", ", "[", "]"));
    }

    static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
