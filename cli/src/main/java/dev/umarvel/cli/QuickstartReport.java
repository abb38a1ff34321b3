package dev.umarvel.cli;

import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.eval.EvaluationReport;
import dev.umarvel.mbeir.eval.EvaluationResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The quickstart's report: one table of every mode before and after distillation (recall and
 * latency), the distillation's own validation figures, where the time went; per-task tables and
 * charts beside it ({@code quickstart.md}, {@code recall.png}, {@code modes.png}, {@code latency.png}).
 */
final class QuickstartReport {

    private QuickstartReport() {}

    /** What a quickstart measured. */
    record Run(ServiceEvaluation.Outcome before, ServiceEvaluation.Outcome after, DistillCommand.Summary distill, Canary.Seen canary,
            AutoMargin.Choice auto, double[] untrained, List<EvaluationResult> baselines, Map<String, Double> seconds, Setup setup) {}

    /**
     * What was asked: the preset's size, the language model, the instruction stage's steps, test queries per task (0: all),
     * the user's dataset as given to --data ("" for M-BEIR-synth of that size), the candidates the reranking modes rerank and
     * whether --rerank-depth chose them.
     */
    record Setup(String size, String backbone, long steps, int perTask, String ownData, int rerankDepth, boolean depthAsked) {
        boolean imported() {
            return !backbone.equals("scratch");
        }

        /** The command line that reproduces the run. */
        String command() {
            return "./umarvel quickstart --size " + size + (imported() ? " --backbone " + backbone : "") + (ownData.isEmpty() ? ""
                    : " --data " + ownData) + (depthAsked ? " --rerank-depth " + rerankDepth : "");
        }

        String title() {
            return (imported() ? size + ", " + backbone : size) + (ownData.isEmpty() ? "" : ", " + dataset());
        }

        /** The data in words: "M-BEIR-synth `small`", or the user's directory. */
        String dataset() {
            return ownData.isEmpty() ? "M-BEIR-synth `" + size + "`" : "`" + ownData + "`";
        }
    }

    static String write(Path dir, Run run, String services) throws IOException {
        ServiceEvaluation.Outcome before = run.before();
        ServiceEvaluation.Outcome after = run.after();
        Setup setup = run.setup();
        String size = setup.size();
        List<EvaluationResult> all = QuickstartCommand.all(before, after);
        com.fasterxml.jackson.databind.node.ObjectNode json = dev.umarvel.mbeir.Json.MAPPER.createObjectNode().put("size", size)
                .put("data", setup.ownData().isEmpty() ? "synth-" + size : setup.ownData()).put("backbone", setup.backbone()).put("steps", setup.steps())
                .put("rerank_depth", setup.rerankDepth());
        com.fasterxml.jackson.databind.node.ArrayNode rows = json.putArray("modes");
        List<EvaluationResult> withBaselines = new java.util.ArrayList<>(all);
        withBaselines.addAll(run.baselines());
        EvaluationReport.write(withBaselines, dir, "recall");
        StringBuilder md = new StringBuilder("# umarvel quickstart (" + setup.title() + ")\n\n");
        md.append(String.format(Locale.ROOT, "%s, %s, every stage trained on trainer-svc (%s preset, instruction stage %d steps), served by "
                + "embedder-svc, reranker-svc and orchestrator-svc; test split, %s queries per task, local and global pools, 4 searches "
                + "in flight; CASCADE and AUTO rerank the top %d. Reproduce: `%s`.%n%n", setup.dataset(), setup.imported() ? "language model "
                + setup.backbone() + " (imported)" : "every weight learned here", size, setup.steps(), setup.perTask() == 0 ? "all" : setup.perTask(),
                setup.rerankDepth(), setup.command()));
        md.append("| mode | mean local | mean global | p50 ms | p99 ms | reranked |\n|---|---:|---:|---:|---:|---:|\n");
        Map<String, ServiceRetriever.Latencies> latencies = new java.util.LinkedHashMap<>(before.latencies());
        latencies.putAll(after.latencies());
        DefaultCategoryDataset recall = new DefaultCategoryDataset();
        DefaultCategoryDataset latency = new DefaultCategoryDataset();
        for (EvaluationResult r : all) {
            ServiceRetriever.Latencies l = latencies.get(r.label());
            double reranked = l.nanos.isEmpty() ? 0 : 100.0 * l.reranked.get() / l.nanos.size();
            md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.1f | %.1f | %.0f%% |%n", r.label(), r.meanLocal(),
                    r.meanGlobal() == null ? Double.NaN : r.meanGlobal(), l.percentileMillis(0.5), l.percentileMillis(0.99), reranked));
            recall.addValue(r.meanLocal(), "local", r.label());
            if (r.meanGlobal() != null) {
                recall.addValue(r.meanGlobal(), "global", r.label());
            }
            latency.addValue(l.percentileMillis(0.5), "p50", r.label());
            latency.addValue(l.percentileMillis(0.99), "p99", r.label());
            rows.addObject().put("label", r.label()).put("mean_local", r.meanLocal()).put("mean_global", r.meanGlobal() == null ? Double.NaN
                    : r.meanGlobal()).put("p50_ms", l.percentileMillis(0.5)).put("p99_ms", l.percentileMillis(0.99)).put("reranked_percent",
                            reranked);
        }
        md.append(String.format(Locale.ROOT, "| untrained (%s; in process on the trainer, exact search) | %.2f | %.2f |"
                + " | | |%n", setup.imported() ? "as imported, its vision side fresh" : "one pre-training step", run.untrained()[0],
                run.untrained()[1]));
        json.putObject("untrained").put("mean_local", run.untrained()[0]).put("mean_global", run.untrained()[1]);
        com.fasterxml.jackson.databind.node.ObjectNode baselines = json.putObject("baselines");
        for (EvaluationResult r : run.baselines()) {
            md.append(String.format(Locale.ROOT, "| baseline: %s (nothing trained; same queries and pools, in process) | %.2f | %.2f | | | |%n",
                    r.label(), r.meanLocal(), r.meanGlobal() == null ? Double.NaN : r.meanGlobal()));
            baselines.putObject(r.label()).put("mean_local", r.meanLocal()).put("mean_global", r.meanGlobal() == null ? Double.NaN
                    : r.meanGlobal());
        }
        md.append(below(before.results().get(0), run.baselines().get(run.baselines().size() - 1)));
        Canary.Seen c = run.canary();
        md.append(String.format(Locale.ROOT, "%nSearches while Distill ran (deploy, re-index, alias swap), one every 20 ms: %d answered, %d "
                + "failed%s; answered by models %s.%n", c.answered(), c.failed(), c.failed() == 0 ? "" : " (first: " + c.firstFailure() + ")",
                String.join(" then ", c.models())));
        json.putObject("canary").put("answered", c.answered()).put("failed", c.failed()).put("first_failure", c.firstFailure())
                .putPOJO("models", c.models());
        AutoMargin.Choice auto = run.auto();
        md.append(String.format(Locale.ROOT, "%nAUTO reranks a query when its retriever's first two scores are closer than its task's "
                + "margin, chosen after distillation on validation queries (the most positives found with at most half of them reranked): %s.%n",
                auto.describe()));
        com.fasterxml.jackson.databind.node.ObjectNode calibration = json.putObject("auto_margin");
        calibration.put("queries", auto.queries()).put("reranked", auto.reranked()).put("auto", auto.auto()).put("single", auto.single())
                .put("cascade", auto.cascade());
        auto.margins().forEach(calibration.putObject("margins")::put); // by task; "Infinity": every query reranked
        chart(recall, "Mean recall by mode (" + setup.dataset().replace("`", "") + ", test)", "mean reported Recall@k (%)", dir.resolve("modes.png"));
        chart(latency, "Search latency through the orchestrator", "ms", dir.resolve("latency.png"));
        md.append("\nCharts: `modes.png` (mean recall by mode), `latency.png`, `recall.png` (per task, baselines included), `curves.png` "
                + "and `losses.png` (learning curves of every training stage); per-task tables in `recall.md`.\n\n");
        DistillCommand.Summary distill = run.distill();
        json.putObject("distill").put("run_id", distill.runId()).put("before_local", distill.before().getMeanLocal())
                .put("after_local", distill.after().getMeanLocal());
        md.append("## Distillation (validation split, through the orchestrator, SINGLE)\n\n").append("```\n").append(distill.table())
                .append("\n```\n\n## Where the time went\n\n| step | seconds |\n|---|---:|\n");
        run.seconds().forEach((step, s) -> md.append(String.format(Locale.ROOT, "| %s | %.0f |%n", step, s)));
        json.putPOJO("seconds", run.seconds());
        md.append("\n```\n").append(services).append("\n```\n");
        AtomicWriter.write(dir.resolve("quickstart.md"), md.toString());
        AtomicWriter.write(dir.resolve("quickstart.json"), dev.umarvel.mbeir.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        return md.toString();
    }

    /** The tasks where the trained model is below the best untrained baseline, local pool: each a bug to find. */
    static String below(EvaluationResult model, EvaluationResult best) {
        List<String> tasks = new java.util.ArrayList<>();
        for (int t = 0; t < model.tasks().size(); t++) {
            double m = model.tasks().get(t).reportedLocal();
            double b = best.tasks().get(t).reportedLocal();
            if (m < b) {
                tasks.add(String.format(Locale.ROOT, "%s (%.1f < %.1f)", model.tasks().get(t).task().name(), m, b));
            }
        }
        return tasks.isEmpty() ? String.format(Locale.ROOT, "%n%s is at or above the best untrained baseline on every task (local pools).%n",
                model.label()) : String.format(Locale.ROOT, "%n**Below the best untrained baseline** (%s, local pools): %s.%n", model.label(),
                String.join(", ", tasks));
    }

    private static void chart(DefaultCategoryDataset data, String title, String axis, Path png) throws IOException {
        JFreeChart chart = ChartFactory.createBarChart(title, "mode", axis, data, PlotOrientation.HORIZONTAL, true, false, false);
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp");
        ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 1000, 500);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
