package dev.umarvel.mbeir;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Counts per task and split of an M-BEIR directory, as a markdown table. */
public final class DatasetStats {

    /** One task's counts (every task the directory has val or test queries for); -1 where the file is missing. */
    public record Row(String task, long train, long val, long test, long pool) {}

    private DatasetStats() {}

    public static List<Row> compute(Path root) throws IOException {
        MbeirLayout layout = new MbeirLayout(root);
        List<Row> rows = new ArrayList<>();
        for (EvalTask t : tasks(layout)) {
            rows.add(new Row(t.name(), trainQueries(layout, t), lines(layout.queries(MbeirLayout.VAL, t)),
                    lines(layout.queries(MbeirLayout.TEST, t)), lines(layout.localPool(t, MbeirLayout.TEST))));
        }
        return rows;
    }

    /** The tasks the directory has test or val queries for: its test tasks in their order, then any with val queries only. */
    static List<EvalTask> tasks(MbeirLayout layout) {
        List<EvalTask> out = new ArrayList<>(layout.tasks(MbeirLayout.TEST));
        layout.tasks(MbeirLayout.VAL).stream().filter(t -> !out.contains(t)).forEach(out::add);
        return out;
    }

    public static String markdown(Path root) throws IOException {
        MbeirLayout layout = new MbeirLayout(root);
        StringBuilder md = new StringBuilder("| task | train queries | val queries | test queries | test pool |\n|---|---:|---:|---:|---:|\n");
        long[] sums = new long[4];
        List<Row> rows = compute(root);
        for (Row r : rows) {
            md.append("| ").append(r.task()).append(" | ").append(r.train()).append(" | ").append(r.val()).append(" | ")
                    .append(r.test()).append(" | ").append(r.pool()).append(" |\n");
            sums[0] += Math.max(0, r.train());
            sums[1] += Math.max(0, r.val());
            sums[2] += Math.max(0, r.test());
            sums[3] += Math.max(0, r.pool());
        }
        md.append("| **all ").append(rows.size()).append("** | ").append(sums[0]).append(" | ").append(sums[1]).append(" | ").append(sums[2]).append(" | ")
                .append(sums[3]).append(" |\n\n");
        md.append("union pools: train ").append(lines(layout.unionPool(MbeirLayout.TRAIN))).append(", val ")
                .append(lines(layout.unionPool(MbeirLayout.VAL))).append(", test ").append(lines(layout.unionPool(MbeirLayout.TEST)))
                .append(" candidates; union training queries ").append(lines(layout.unionTrainQueries())).append('\n');
        return md.toString();
    }

    /** Training queries of a task, counted from the per-task qrels (the union file mixes tasks). */
    private static long trainQueries(MbeirLayout layout, EvalTask task) throws IOException {
        Path qrels = layout.qrels(MbeirLayout.TRAIN, task);
        return Files.exists(qrels) ? Qrels.read(qrels).size() : -1;
    }

    private static long lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return -1;
        }
        long n = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    n++;
                }
            }
        }
        return n;
    }
}
