package dev.umarvel.orchestrator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** orchestrator-svc settings (application.properties, prefix {@code umarvel}). */
@ConfigMapping(prefix = "umarvel")
public interface OrchestratorConfig {

    /** Store root: collections' records, the embedded indexes, imported images; request paths are relative to it. */
    Path store();

    Index index();

    Milvus milvus();

    Search search();

    Models models();

    /** Where the model services are: each a list of replicas (ModelClients balances calls across them per call). */
    interface Models {
        /**
         * The embedder's replicas, host:port, comma-separated. A host with several addresses (a Kubernetes headless
         * Service) is one replica per address.
         */
        @WithDefault("localhost:9091")
        List<String> embedder();

        /** The reranker's replicas, as the embedder's. */
        @WithDefault("localhost:9092")
        List<String> reranker();

        /** How often the replicas' names are resolved again: 10 s follows a scaled Deployment within a probe period. */
        @WithDefault("10s")
        Duration resolveEvery();
    }

    interface Index {
        /** The backend of collections that do not name one. */
        @WithDefault("EMBEDDED")
        Backend backend();

        /** Candidates per embedding call while indexing: the embedder's batch size, so its batches stay full. */
        @WithDefault("64")
        int embedBatch();

        /**
         * How stale this replica's copy of a collection record may be: a swap or drop by another orchestrator replica
         * is seen within it. 1 s costs one stat of the record file per collection per second.
         */
        @WithDefault("1s")
        Duration recordRefresh();

        /**
         * An Upsert stream that writes at least this many candidates has its collection compacted in the background once
         * it has answered: each chunk left a segment, each searched as a graph of its own (at 100k candidates written by
         * one stream, search p99 72.5 ms before a compaction against 24.3 after one, docs/benchmarks.md). 0: never.
         */
        @WithDefault("10000")
        long compactAfter();
    }

    enum Backend { EMBEDDED, MILVUS }

    interface Milvus {
        /** e.g. http://milvus:19530; unset: MILVUS collections are refused with FAILED_PRECONDITION. */
        Optional<String> uri();

        Optional<String> token();
    }

    interface Search {
        /** The mode of requests that do not name one. */
        @WithDefault("SINGLE")
        Mode mode();

        /** Candidates a cascade reranks: the paper's 50. */
        @WithDefault("50")
        int recallK();

        /** w in cos + w * P(Yes): the released evaluation's 0.1. */
        @WithDefault("0.1")
        double fusionWeight();

        /**
         * w for the requests that name a task (SearchRequest.task), e.g. {@code umarvel.search.task-fusion-weights.webqa_task2=1}:
         * a reranker that reads names can lead on the tasks that turn on names and not on others (docs/training.md). A task
         * not named here takes {@link #fusionWeight()}; a request's own fusion weight wins over both. Each is a number >= 0
         * (checked at start-up); infinity ranks by the reranker alone, ties in the retriever's order.
         */
        Map<String, Double> taskFusionWeights();

        /** AUTO reranks when top1 - top2 recall score is under this (cosines of unit vectors). */
        @WithDefault("0.02")
        double autoMargin();

        /** What CASCADE and AUTO do when the reranker fails or is too slow. */
        @WithDefault("DEGRADE")
        Degrade degradePolicy();

        /** The longest a rerank may take before the answer degrades (further capped by the request's deadline). */
        @WithDefault("2s")
        Duration rerankTimeout();

        /**
         * Searches answered at once; more answer RESOURCE_EXHAUSTED at once. 32: what 2 cores answer at about 20 ms each
         * within a 400 ms p99 (bench reliability); a GPU node takes more.
         */
        @WithDefault("32")
        int maxInFlight();
    }

    enum Mode { SINGLE, CASCADE, AUTO }

    enum Degrade { DEGRADE, FAIL }
}
