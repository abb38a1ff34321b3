package dev.umarvel.index;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.lucene.index.LiveIndexWriterConfig;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.TieredMergePolicy;

/**
 * How one {@link LuceneIndex} writes now: serving, or under bulk writes (imports, re-indexes; they may overlap), and
 * whether a compaction runs. A bulk write changes two things until its last handle closes: the merge policy, and the
 * segments written (flushed or merged), which hold no graph ({@link GraphlessVectorsFormat}); a compaction writes graphs
 * even while a bulk write goes on, since what it writes is what serves.
 */
final class WriteMode {

    /** Lucene's default: about 10 segments a tier, few enough that a serving index's searches stay fast. */
    private final MergePolicy serving = new GraphsOnCompaction(new TieredMergePolicy(), this::writesGraphs);
    /**
     * While a bulk write lasts: 30 segments a tier, merged 30 at a time, so its graphless segments are copied into bigger
     * ones less often (when its segments still had graphs, each merge rebuilt the graph of all but its largest segment).
     */
    private final MergePolicy bulk = new GraphsOnCompaction(new TieredMergePolicy().setSegmentsPerTier(30).setMaxMergeAtOnce(30),
            this::writesGraphs);

    private LiveIndexWriterConfig config; // guarded by this
    private int bulkWrites; // guarded by this
    private int compactions; // guarded by this
    /** bulkWrites > 0 and compactions == 0, read by the codec as each segment starts being written. */
    private volatile boolean graphless;

    /** The policy an index starts with; {@link #attach} hands it the writer's live configuration to change later. */
    MergePolicy servingPolicy() {
        return serving;
    }

    synchronized void attach(LiveIndexWriterConfig config) {
        this.config = config;
    }

    /** Whether segments begun now get a graph. */
    boolean writesGraphs() {
        return !graphless;
    }

    /** Marks a bulk write until the handle closes; a handle closed twice ends it once. */
    synchronized VectorIndex.BulkWrite bulkWrite() {
        if (bulkWrites++ == 0) {
            config.setMergePolicy(bulk);
        }
        update();
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.getAndSet(false)) {
                endBulkWrite();
            }
        };
    }

    private synchronized void endBulkWrite() {
        if (--bulkWrites == 0) {
            config.setMergePolicy(serving);
        }
        update();
    }

    /** Runs a compaction: what it writes gets a graph. */
    <E extends Exception> void compaction(Compaction<E> body) throws E {
        changeCompactions(+1);
        try {
            body.run();
        } finally {
            changeCompactions(-1);
        }
    }

    interface Compaction<E extends Exception> {
        void run() throws E;
    }

    private synchronized void changeCompactions(int delta) {
        compactions += delta;
        update();
    }

    private void update() { // under this
        graphless = bulkWrites > 0 && compactions == 0;
    }

    /** The merge policy in force, unwrapped: a test's view. */
    synchronized MergePolicy mergePolicy() {
        return ((GraphsOnCompaction) config.getMergePolicy()).unwrap();
    }
}
