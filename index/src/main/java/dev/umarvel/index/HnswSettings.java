package dev.umarvel.index;

/**
 * HNSW and search settings of a {@link LuceneIndex}.
 *
 * @param maxConnections links per node (M)
 * @param beamWidth candidate list while building
 * @param efSearch candidate list while searching (at least k); 0: {@link #MIN_BEAM}, or k when larger
 * @param int8 vectors scalar-quantised to 7 bits for the graph's distances (Lucene's quantised HNSW format): about a
 *     quarter of the memory the search reads; the full-precision vectors stay on disk for merges
 */
public record HnswSettings(int maxConnections, int beamWidth, int efSearch, boolean int8) {
    /**
     * M = 16 and construction beam 100 (Lucene's defaults); search beam 200: on 20k random 64-d unit
     * vectors a beam of 100 gave recall@10 0.972, 200 gives 0.997 (contract test).
     */
    public static final HnswSettings DEFAULT = new HnswSettings(16, 100, 200, false);

    public HnswSettings(int maxConnections, int beamWidth, int efSearch) {
        this(maxConnections, beamWidth, efSearch, false);
    }

    /** The search beam for top {@code k}: efSearch, never below k; 0 means {@link #MIN_BEAM}, never below k. */
    public int beam(int k) {
        return Math.max(k, efSearch > 0 ? efSearch : MIN_BEAM);
    }

    /**
     * The beam when efSearch is 0, from the recall curve per k at 1M clustered 128-d vectors, M 32, one thread
     * (docs/benchmarks.md): top 10 needs a beam of 80 for recall@10 0.993 (40: 0.972); top 1 needs more than 8 x k
     * (beam 8: recall@1 0.772, 40: 0.984, 80: 0.996); top 100 needs no more than k (beam 100: recall@100 0.992 at
     * 1,255 queries/s, where 8 x k gave 0.999 at 519).
     */
    public static final int MIN_BEAM = 80;
}
