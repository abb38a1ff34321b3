package dev.umarvel.cli;

import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DescribeCollectionRequest;
import dev.umarvel.api.v1.ImportPoolProgress;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.eval.EvaluationReport;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.Evaluator;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code umarvel eval --via}: an M-BEIR evaluation through the orchestrator, once per search mode,
 * with client-side latency. Optionally sets the collection up first: creates it and imports every
 * local pool of the split under its task's label (the union of those labels is the global pool).
 */
final class ServiceEvaluation {

    /**
     * How the searches are sent.
     *
     * @param recallK candidates the reranking modes rerank
     * @param concurrency searches in flight
     * @param autoMargins AUTO's margins chosen per task, or null for the orchestrator's default
     */
    record Searches(List<SearchMode> modes, int recallK, int concurrency, AutoMargin.Choice autoMargins) {}

    /** @param tag appended to each mode's label, e.g. "before distillation" ("" for none) */
    record Settings(String address, String collection, Path store, String data, String split, List<EvalTask> tasks, boolean global,
            Searches searches, int queriesPerTask, boolean setup, Path out, String tag, ClientSecurity security) {}

    /** Each mode's recall and what its searches cost. */
    record Outcome(List<EvaluationResult> results, Map<String, ServiceRetriever.Latencies> latencies) {}

    private ServiceEvaluation() {}

    static String run(Settings s) throws Exception {
        Outcome o = evaluate(s);
        EvaluationReport.write(o.results(), s.out(), "eval-via");
        String md = EvaluationReport.markdown(o.results()) + "\n" + latencyTable(o.latencies(), s.searches().concurrency(),
                s.searches().recallK());
        AtomicWriter.write(s.out().resolve("eval-via.md"), md);
        return md;
    }

    /** Evaluates each mode in turn (setting the collection up first if asked). */
    static Outcome evaluate(Settings s) throws Exception {
        ManagedChannel channel = s.security().channel(s.address());
        try {
            RetrievalGrpc.RetrievalBlockingStub stub = RetrievalGrpc.newBlockingStub(channel);
            MbeirLayout layout = new MbeirLayout(s.store().resolve(s.data()));
            if (s.setup()) {
                setUp(stub, s, layout);
            }
            stub.describeCollection(DescribeCollectionRequest.newBuilder().setName(s.collection()).build()); // NOT_FOUND early
            List<EvaluationResult> results = new ArrayList<>();
            Map<String, ServiceRetriever.Latencies> latencies = new LinkedHashMap<>();
            // each task's test pool is labelled with the task's name (ImportPool's default), so the global pool is their union
            List<String> globalPools = layout.tasks(s.split()).stream().map(EvalTask::name).toList();
            for (SearchMode mode : s.searches().modes()) {
                String label = label(mode) + (s.tag().isEmpty() ? "" : ", " + s.tag());
                try (ServiceRetriever retriever = new ServiceRetriever(stub, s.collection(), s.data(), globalPools, mode, s.searches());
                        Progress bar = new Progress(label, s.tasks().size())) {
                    results.add(Evaluator.evaluate(label, layout, retriever,
                            new Evaluator.Options(s.split(), s.global(), s.tasks(), 42, s.queriesPerTask()), bar.steps()));
                    latencies.put(label, retriever.latencies);
                }
            }
            return new Outcome(results, latencies);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void setUp(RetrievalGrpc.RetrievalBlockingStub stub, Settings s, MbeirLayout layout) {
        try {
            stub.createCollection(CreateCollectionRequest.newBuilder().setName(s.collection())
                    .setDescription("M-BEIR " + s.split() + " local pools of " + s.data()).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                throw e;
            }
        }
        try (Progress bar = new Progress("import pools", s.tasks().size())) {
            int done = 0;
            for (EvalTask task : s.tasks()) {
                String pool = s.store().relativize(layout.localPool(task, s.split())).toString();
                Iterator<ImportPoolProgress> progress = stub.importPool(ImportPoolRequest.newBuilder().setCollection(s.collection())
                        .setPoolPath(pool).addPools(task.name()).setImageRoot(s.data()).setBatchSize(64).build());
                while (progress.hasNext()) {
                    ImportPoolProgress p = progress.next();
                    bar.update(done, s.tasks().size(), String.format("%s %d/%d", task.name(), p.getLinesRead(), p.getTotalLines()));
                }
                bar.update(++done, s.tasks().size(), task.name());
            }
        }
    }

    static String label(SearchMode mode) {
        return mode.name().replace("SEARCH_MODE_", "").toLowerCase() + " via service";
    }

    static String latencyTable(Map<String, ServiceRetriever.Latencies> latencies, int concurrency, int recallK) {
        StringBuilder md = new StringBuilder("## Latency through the service\n\n" + concurrency + " searches in flight, top "
                + 50 + "; the reranking modes rerank the first " + recallK + "; client-side wall time per search.\n\n"
                + "| mode | searches | p50 ms | p99 ms | reranked | degraded |\n|---|---:|---:|---:|---:|---:|\n");
        latencies.forEach((label, l) -> md.append(String.format("| %s | %d | %.1f | %.1f | %.0f%% | %d |%n", label, l.nanos.size(),
                l.percentileMillis(0.5), l.percentileMillis(0.99), l.nanos.isEmpty() ? 0.0 : 100.0 * l.reranked.get() / l.nanos.size(),
                l.degraded.get())));
        return md.toString();
    }
}
