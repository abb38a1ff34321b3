package dev.umarvel.cli;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.eval.EmbeddingRetriever;
import dev.umarvel.mbeir.eval.EvaluationReport;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.Evaluator;
import dev.umarvel.mbeir.eval.baseline.Baselines;
import dev.umarvel.model.Inference;
import dev.umarvel.recipe.ModelEncoder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/** {@code umarvel eval}: M-BEIR recall of a checkpoint, local and global pools, as a report. */
@Command(showDefaultValues = true, name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint on an M-BEIR-layout dataset: Recall@1/5/10/50 per task, local and global pool, "
                + "the mean of the tasks; writes <out>/eval.md, .json and .png.")
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "M-BEIR-layout directory (real M-BEIR, M-BEIR-synth or an import).")
    Path data;

    @Option(names = "--checkpoint", description = "Checkpoint directory of an embedder, run in process (one of --checkpoint and --via is required).")
    Path checkpoint;

    @Option(names = "--via", description = "Evaluate through a running orchestrator instead, e.g. localhost:9090 (host:port; one of --checkpoint and --via is required).")
    String via;

    @picocli.CommandLine.Mixin
    SecureOptions secure = new SecureOptions();

    @Option(names = "--collection", defaultValue = "mbeir_eval", description = "With --via: the collection to search.")
    String collection;

    @Option(names = "--store", defaultValue = ".", description = "With --via: the orchestrator's store root, which --data lies under.")
    Path store;

    @Option(names = "--modes", split = ",", defaultValue = "SINGLE,CASCADE,AUTO", description = "With --via: search modes to run.")
    List<String> modes;

    @Option(names = "--recall-k", defaultValue = "50", description = "With --via: candidates the reranking modes rerank.")
    int recallK;

    @Option(names = "--queries-per-task", defaultValue = "0", description = "Only the first N queries of each task (0: all).")
    int queriesPerTask;

    @Option(names = "--concurrency", defaultValue = "4", description = "With --via: searches in flight.")
    int concurrency;

    @Option(names = "--setup", description = "With --via: create the collection and import the split's local pools first (resumable).")
    boolean setup;

    @Option(names = "--split", defaultValue = "test", description = "val or test")
    String split;

    @Option(showDefaultValue = Visibility.NEVER, names = "--global", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also search the global (union) pool (default: yes).")
    boolean global;

    @Option(names = "--tasks", split = ",", description = "Only these tasks, e.g. mscoco_task0,cirr_task7 (default: all present).")
    List<String> tasks;

    @Option(names = "--out", defaultValue = "reports", description = "Directory for the report.")
    Path out;

    @Option(names = "--label", description = "Name of this evaluation in the report (default: the checkpoint version).")
    String label;

    @Option(names = "--batch", defaultValue = "64", description = "Items per model call.")
    int batch;

    @Option(showDefaultValue = Visibility.NEVER, names = "--baselines", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also evaluate the untrained baselines on the same queries and pools: chance, BM25 over the texts, raw-pixel "
                    + "cosine over the images, and the best of them per task (default: yes).")
    boolean baselines;

    @Option(names = "--baselines-only", description = "Evaluate the untrained baselines alone (no --checkpoint or --via).")
    boolean baselinesOnly;

    @Override
    public Integer call() throws Exception {
        if (!split.equals(MbeirLayout.VAL) && !split.equals(MbeirLayout.TEST)) {
            throw new IllegalArgumentException("--split must be val or test, got " + split);
        }
        MbeirLayout layout = new MbeirLayout(via == null ? data : store.resolve(data));
        List<EvalTask> selected = layout.tasks(split, tasks);
        if (selected.isEmpty()) {
            throw new IllegalArgumentException(data + " has no " + split + " queries for any task (query/" + split + "/mbeir_<dataset>_task<N>_"
                    + split + ".jsonl)");
        }
        if (via != null) {
            List<dev.umarvel.api.v1.SearchMode> searchModes = modes.stream()
                    .map(m -> dev.umarvel.api.v1.SearchMode.valueOf("SEARCH_MODE_" + m.toUpperCase())).toList();
            System.out.print(ServiceEvaluation.run(new ServiceEvaluation.Settings(via, collection, store, data.toString(), split, selected,
                    global, new ServiceEvaluation.Searches(searchModes, recallK, Math.max(1, concurrency), null), queriesPerTask, setup, out, "",
                    secure.security())));
            System.out.println("report: " + out.resolve("eval-via.md") + ", " + out.resolve("eval-via.json"));
            return 0;
        }
        if (checkpoint == null && !baselinesOnly) {
            throw new IllegalArgumentException("give --checkpoint (in process), --via (through the orchestrator) or --baselines-only");
        }
        Evaluator.Options options = new Evaluator.Options(split, global, selected, 42, queriesPerTask);
        List<EvaluationResult> results = new java.util.ArrayList<>();
        if (checkpoint != null) {
            try (Inference inference = Inference.load(checkpoint);
                    Progress progress = new Progress("eval", 2L * selected.size() + selected.size())) {
                String name = label != null ? label : "single@" + inference.manifest().version();
                EmbeddingRetriever retriever = new EmbeddingRetriever(layout, new ModelEncoder(inference, layout), split, batch,
                        Runtime.getRuntime().availableProcessors(), progress.steps());
                results.add(Evaluator.evaluate(name, layout, retriever, options, progress.steps()));
            }
        }
        if (baselines || baselinesOnly) {
            try (Progress progress = new Progress("baselines", 3L * selected.size())) {
                results.addAll(Baselines.evaluate(layout, options, progress.steps()));
            }
        }
        EvaluationReport.write(results, out, "eval");
        System.out.print(EvaluationReport.markdown(results));
        System.out.println("report: " + out.resolve("eval.md") + ", " + out.resolve("eval.json") + ", " + out.resolve("eval.png"));
        return 0;
    }
}
