package dev.umarvel.cli;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.eval.EmbeddingRetriever;
import dev.umarvel.mbeir.eval.EvaluationReport;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.Evaluator;
import dev.umarvel.model.Inference;
import dev.umarvel.recipe.ModelEncoder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code umarvel eval}: M-BEIR recall of a checkpoint, local and global pools, as a report. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint on an M-BEIR-layout dataset: Recall@1/5/10/50 per task, local and global pool, "
                + "the mean of the tasks; writes <out>/eval.md, .json and .png.")
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "M-BEIR-layout directory (real M-BEIR, M-BEIR-synth or an import).")
    Path data;

    @Option(names = "--checkpoint", required = true, description = "Checkpoint directory of an embedder.")
    Path checkpoint;

    @Option(names = "--split", defaultValue = "test", description = "val or test")
    String split;

    @Option(names = "--global", negatable = true, defaultValue = "true", fallbackValue = "true",
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

    @Override
    public Integer call() throws Exception {
        if (!split.equals(MbeirLayout.VAL) && !split.equals(MbeirLayout.TEST)) {
            throw new IllegalArgumentException("--split must be val or test, got " + split);
        }
        MbeirLayout layout = new MbeirLayout(data);
        List<EvalTask> selected = tasks == null ? layout.tasks(split) : tasks.stream().map(EvalTask::byName).toList();
        if (selected.isEmpty()) {
            throw new IllegalArgumentException(data + " has no " + split + " queries for any M-BEIR task");
        }
        try (Inference inference = Inference.load(checkpoint);
                Progress progress = new Progress("eval", 2L * selected.size() + selected.size())) {
            String name = label != null ? label : "single@" + inference.manifest().version();
            EmbeddingRetriever retriever = new EmbeddingRetriever(layout, new ModelEncoder(inference, layout), split, batch,
                    Runtime.getRuntime().availableProcessors(), progress.steps());
            EvaluationResult result = Evaluator.evaluate(name, layout, retriever,
                    new Evaluator.Options(split, global, selected, 42), progress.steps());
            progress.close();
            EvaluationReport.write(List.of(result), out, "eval");
            System.out.print(EvaluationReport.markdown(List.of(result)));
            System.out.println("report: " + out.resolve("eval.md") + ", " + out.resolve("eval.json") + ", " + out.resolve("eval.png"));
        }
        return 0;
    }
}
