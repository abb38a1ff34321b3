package dev.umarvel.cli;

import dev.umarvel.recipe.JobListener;
import dev.umarvel.recipe.LearningCurve;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The learning curves of a chain of training jobs, stage after stage on one step axis: validation recall on the
 * probe ({@code curves.png}) and the training loss as a fraction of its chance level ({@code losses.png}: 1 is a
 * model that has learned nothing).
 */
final class LearningCurves {

    private LearningCurves() {}

    /** Draws the curves of {@code outputs} (stage to job output directory, store-relative) into {@code dir}. */
    static void draw(Path store, Map<String, String> outputs, Path dir) throws IOException {
        XYSeriesCollection recall = new XYSeriesCollection();
        XYSeriesCollection loss = new XYSeriesCollection();
        long offset = 0;
        for (Map.Entry<String, String> stage : outputs.entrySet()) {
            List<JobListener.CurvePoint> points = LearningCurve.read(store.resolve(stage.getValue()).resolve("curve.json"));
            if (points.isEmpty()) {
                continue;
            }
            XYSeries r = new XYSeries(stage.getKey());
            XYSeries l = new XYSeries(stage.getKey());
            for (JobListener.CurvePoint p : points) {
                if (Double.isFinite(p.valRecall())) {
                    r.add(offset + p.step(), p.valRecall());
                }
                if (Double.isFinite(p.chanceLoss()) && p.chanceLoss() > 0) {
                    l.add(offset + p.step(), p.loss() / p.chanceLoss());
                }
            }
            if (!r.isEmpty()) {
                recall.addSeries(r);
            }
            if (!l.isEmpty()) {
                loss.addSeries(l);
            }
            offset += points.get(points.size() - 1).step();
        }
        save(ChartFactory.createXYLineChart("Validation recall while training (probe: 20 queries per task, sub-pools)",
                "step (stages one after the other)", "mean reported Recall@k (%)", recall, PlotOrientation.VERTICAL, true, false, false),
                dir.resolve("curves.png"));
        save(ChartFactory.createXYLineChart("Training loss / its chance level (1 = learned nothing)", "step (stages one after the other)",
                "loss / ln(candidates)", loss, PlotOrientation.VERTICAL, true, false, false), dir.resolve("losses.png"));
    }

    private static void save(JFreeChart chart, Path png) throws IOException {
        Files.createDirectories(png.getParent());
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp");
        ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 1000, 500);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
