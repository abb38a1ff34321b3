package dev.umarvel.mbeir.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * One or more evaluations side by side, as a markdown table, JSON and a PNG bar chart of the
 * reported metric per task (local pool, and global pool when evaluated).
 */
public final class EvaluationReport {

    /** The recalls a task that is not M-BEIR's is shown with. */
    static final List<Integer> OWN_TASK_KS = List.of(1, 5, 10);

    private EvaluationReport() {}

    /** The table: one row per task (three for a task not M-BEIR's), one column per evaluation and pool, then the mean. */
    public static String markdown(List<EvaluationResult> results) {
        StringBuilder md = new StringBuilder("| task | metric |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (EvaluationResult r : results) {
            md.append(' ').append(r.label()).append(" local |");
            rule.append("---:|");
            if (r.meanGlobal() != null) {
                md.append(' ').append(r.label()).append(" global |");
                rule.append("---:|");
            }
        }
        md.append('\n').append(rule).append('\n');
        List<TaskResult> first = results.get(0).tasks();
        for (int t = 0; t < first.size(); t++) {
            // M-BEIR's tasks: the paper's metric; any other: R@1, R@5 and R@10 (its R@5 is what the mean takes)
            for (int k : first.get(t).task().isMbeir() ? List.of(first.get(t).task().k()) : OWN_TASK_KS) {
                md.append("| ").append(first.get(t).task().name()).append(" | R@").append(k).append(" |");
                for (EvaluationResult r : results) {
                    TaskResult tr = r.tasks().get(t);
                    md.append(String.format(" %.1f |", tr.local().get(k)));
                    if (r.meanGlobal() != null) {
                        md.append(String.format(" %.1f |", tr.global().get(k)));
                    }
                }
                md.append('\n');
            }
        }
        md.append("| **mean** | |");
        for (EvaluationResult r : results) {
            md.append(String.format(" **%.1f** |", r.meanLocal()));
            if (r.meanGlobal() != null) {
                md.append(String.format(" **%.1f** |", r.meanGlobal()));
            }
        }
        return md.append('\n').toString();
    }

    public static ObjectNode json(List<EvaluationResult> results) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode evaluations = root.putArray("evaluations");
        for (EvaluationResult r : results) {
            ObjectNode e = evaluations.addObject();
            e.put("label", r.label());
            e.put("split", r.split());
            e.put("mean_local", r.meanLocal());
            if (r.meanGlobal() != null) {
                e.put("mean_global", r.meanGlobal());
            }
            ArrayNode tasks = e.putArray("tasks");
            for (TaskResult t : r.tasks()) {
                ObjectNode n = tasks.addObject();
                n.put("task", t.task().name());
                n.put("dataset_id", t.task().datasetId());
                n.put("task_id", t.task().taskId());
                n.put("metric", t.task().metric());
                n.put("queries", t.queries());
                n.put("local", t.reportedLocal());
                putAll(n.putObject("local_recall_at"), t.local());
                if (t.global() != null) {
                    n.put("global", t.reportedGlobal());
                    putAll(n.putObject("global_recall_at"), t.global());
                }
            }
        }
        return root;
    }

    private static void putAll(ObjectNode node, Map<Integer, Double> recall) {
        recall.forEach((k, v) -> node.put("R@" + k, v));
    }

    /** Writes {@code <name>.md}, {@code <name>.json} and {@code <name>.png} into {@code dir}, each atomically. */
    public static void write(List<EvaluationResult> results, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        AtomicWriter.write(dir.resolve(name + ".md"), markdown(results));
        AtomicWriter.write(dir.resolve(name + ".json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json(results)) + "\n");
        chart(results, dir.resolve(name + ".png"));
    }

    public static void chart(List<EvaluationResult> results, Path png) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (EvaluationResult r : results) {
            for (TaskResult t : r.tasks()) {
                data.addValue(t.reportedLocal(), r.label() + " local", t.task().name());
                if (r.meanGlobal() != null) {
                    data.addValue(t.reportedGlobal(), r.label() + " global", t.task().name());
                }
            }
            data.addValue(r.meanLocal(), r.label() + " local", "MEAN");
            if (r.meanGlobal() != null) {
                data.addValue(r.meanGlobal(), r.label() + " global", "MEAN");
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("M-BEIR recall (" + results.get(0).split() + ")", "task",
                "reported Recall@k (%)", data, PlotOrientation.VERTICAL, true, false, false);
        chart.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        chart.getCategoryPlot().getRangeAxis().setRange(0, 100);
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp");
        ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 1400, 600);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
