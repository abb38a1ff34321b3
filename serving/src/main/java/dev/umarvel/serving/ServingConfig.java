package dev.umarvel.serving;

import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings both model services share (prefix {@code umarvel}); each service's {@code @ConfigMapping}
 * extends this interface.
 */
public interface ServingConfig {

    /** Store root: checkpoints and images named by store path are read below it, and only there. */
    Path store();

    /** Checkpoint (store-relative) to load at start; without one the service is not ready until LoadModel. */
    Optional<String> checkpoint();

    Batch batch();

    Limits limits();

    /**
     * Serve the last LoadModel's model again after a restart (ServedState in the store); false starts on the configured
     * checkpoint every time (the services' own tests, which reuse one store across runs).
     */
    @WithDefault("true")
    boolean rememberLoads();

    /** Cut over-long text (flagged) when a request leaves truncation unset; false refuses it. */
    @WithDefault("true")
    boolean truncateByDefault();

    /** The dynamic batcher. */
    interface Batch {
        /** Items per model call: beyond ~64 a 2-core CPU gains no throughput, only latency. */
        @WithDefault("64")
        int maxItems();

        /** Padded tokens per model call (items x longest): bounds memory and a batch's latency. */
        @WithDefault("8192")
        int maxTokens();

        /**
         * How long the oldest item may wait for others to join its batch. Under load batches fill while the model computes,
         * so waiting only delays the lone requests: at 1 ms a search at 4 in flight took 10.2 ms (p99 16.9) against 13.5
         * (24.3) at 5 ms, with the same peak throughput at 32 clients (docs/benchmarks.md).
         */
        @WithDefault("1ms")
        Duration maxDelay();

        /** Items waiting at most; more answer RESOURCE_EXHAUSTED at once. */
        @WithDefault("2048")
        int queueCapacity();

        /**
         * Whether items of different requests share a model call. false runs each request's items in calls of their
         * own (a request's latency no longer depends on others'; the baseline bench serving measures batching against).
         */
        @WithDefault("true")
        boolean acrossRequests();
    }

    /** Per-call input limits. */
    interface Limits {
        /** Items (or candidates) per call. */
        @WithDefault("256")
        int maxItems();

        /** Encoded bytes per image. */
        @WithDefault("8388608")
        long maxImageBytes();

        /** Width x height per image, checked from the header before decoding. */
        @WithDefault("16777216")
        long maxImagePixels();
    }

    /** The batcher bounds as the batcher takes them. */
    default DynamicBatcher.Config batcher() {
        return new DynamicBatcher.Config(batch().maxItems(), batch().maxTokens(), batch().maxDelay(), batch().queueCapacity(),
                batch().acrossRequests());
    }

    /** The input limits as {@link Inputs} takes them. */
    default Inputs.Limits inputLimits() {
        return new Inputs.Limits(limits().maxItems(), limits().maxImageBytes(), limits().maxImagePixels());
    }
}
