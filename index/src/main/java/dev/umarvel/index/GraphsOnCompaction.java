package dev.umarvel.index;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.lucene.index.FilterMergePolicy;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;

/**
 * A merge policy whose forced merge (a compaction) also rewrites a {@linkplain GraphlessVectorsFormat graphless} segment
 * that is already alone: Lucene's policies leave an index that is one segment as it is, and a bulk write of a small pool
 * leaves exactly that, which would then be searched exactly forever. The rewrite is written in the index's graph format,
 * as every segment a compaction writes; where the index would write it without a graph again, it is left alone (a rewrite
 * into the same format would be asked for again after every one).
 */
final class GraphsOnCompaction extends FilterMergePolicy {

    private final BooleanSupplier writesGraphs;

    GraphsOnCompaction(MergePolicy in, BooleanSupplier writesGraphs) {
        super(in);
        this.writesGraphs = writesGraphs;
    }

    @Override
    public MergeSpecification findForcedMerges(SegmentInfos infos, int maxSegments, Map<SegmentCommitInfo, Boolean> segmentsToMerge,
            MergeContext context) throws IOException {
        MergeSpecification merges = super.findForcedMerges(infos, maxSegments, segmentsToMerge, context);
        if (merges != null || !writesGraphs.getAsBoolean()) {
            return merges;
        }
        for (SegmentCommitInfo segment : infos) {
            if (segmentsToMerge.containsKey(segment) && GraphlessVectorsFormat.holds(segment)
                    && !context.getMergingSegments().contains(segment)) {
                merges = merges == null ? new MergeSpecification() : merges;
                merges.add(new OneMerge(List.of(segment)));
            }
        }
        return merges;
    }
}
