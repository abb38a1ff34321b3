package dev.umarvel.recipe;

import dev.umarvel.mbeir.AtomicWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The findings as markdown: per finding each variant's mean over seeds, the paper's directions checked
 * against the noise, and where the protocol's time went.
 */
public final class FindingsReport {

    private FindingsReport() {}

    /** The markdown table: per finding, each variant's mean over seeds, and the paper's expected direction checked. */
    public static String markdown(List<Findings.Row> rows, String title, String command) {
        Map<String, Map<String, List<Findings.Row>>> byFinding = new LinkedHashMap<>();
        for (Findings.Row r : rows) {
            byFinding.computeIfAbsent(r.finding(), f -> new LinkedHashMap<>()).computeIfAbsent(r.variant(), v -> new ArrayList<>()).add(r);
        }
        StringBuilder md = new StringBuilder("# " + title + "\n\nRegenerate: `" + command + "`\n\n");
        for (Map.Entry<String, Map<String, List<Findings.Row>>> f : byFinding.entrySet()) {
            if (f.getKey().equals("all")) {
                continue;
            }
            md.append("## Finding ").append(f.getKey()).append("\n\n| variant | seeds | mean local | mean global |\n|---|---:|---:|---:|\n");
            for (Map.Entry<String, List<Findings.Row>> v : f.getValue().entrySet()) {
                md.append(String.format("| %s | %d | %s | %s |%n", v.getKey(), v.getValue().size(),
                        meanSd(v.getValue().stream().mapToDouble(Findings.Row::local).toArray()),
                        meanSd(v.getValue().stream().mapToDouble(Findings.Row::global).toArray())));
            }
            md.append('\n');
        }
        boolean severalSeeds = rows.stream().map(Findings.Row::seed).distinct().count() > 1;
        md.append("## Directions against the paper\n\nΔ is the first variant minus the second, in recall points, ± twice its "
                + "standard error: the binomial noise of the test queries (the same queries for every seed, so seeds do not shrink "
                + "it)" + (severalSeeds ? " combined with the seed-to-seed spread of Δ over the seeds both variants ran" : "")
                + ". A direction counts only beyond that noise." + (severalSeeds ? "" : " With one seed, the run-to-run noise "
                + "of training itself is not in that error, and every comparison with the baseline shares its one run: read "
                + "a single \"yes\" as suggestive, a pattern across rows as stronger.")
                + "\n\n| finding | comparison | seeds | Δ local | Δ global | agrees |\n|---|---|---:|---:|---:|---|\n");
        for (Direction d : directions(rows)) {
            Findings.Claim c = d.claim();
            md.append(String.format("| %s | %s: %s vs %s | %d | %+.1f ± %.1f | %+.1f ± %.1f | %s |%n", c.finding(), c.paper(), c.better(),
                    c.worse(), d.seeds(), d.local(), d.localNoise(), d.global(), d.globalNoise(), d.verdict()));
        }
        return md.toString();
    }

    /**
     * Where the time went: every job's wall time split into the model (forward + backward), the
     * optimizer, waiting for data and the rest (loading, checkpoints, evaluation: bookkeeping), and the
     * wall time of the whole recipe (the baseline chain of the first seed).
     */
    public static String timingMarkdown(Map<String, Findings.Timing> timings, long seed) {
        StringBuilder md = new StringBuilder("## Where the time went\n\n| job | wall | model | optimizer | waiting for data | rest |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        for (Findings.Timing t : timings.values()) {
            double rest = t.wallSeconds() - t.modelSeconds() - t.optimizerSeconds() - t.dataWaitSeconds();
            md.append(String.format("| %s | %.0f s | %.0f%% | %.0f%% | %.0f%% | %.0f%% |%n", t.job(), t.wallSeconds(),
                    pct(t.modelSeconds(), t), pct(t.optimizerSeconds(), t), pct(t.dataWaitSeconds(), t), pct(rest, t)));
        }
        double total = 0;
        double model = 0;
        double data = 0;
        List<String> missing = new ArrayList<>();
        for (String job : Findings.recipeChain(seed)) {
            Findings.Timing t = timings.get(job);
            if (t == null) {
                missing.add(job);
                continue;
            }
            total += t.wallSeconds();
            model += t.modelSeconds() + t.optimizerSeconds();
            data += t.dataWaitSeconds();
        }
        md.append(String.format("%nThe full recipe (%s): %.1f min wall, %.0f%% in the model and optimizer, %.0f%% waiting for data, "
                + "%.0f%% bookkeeping (loading, mining's search, scoring, checkpoints)%s.%n", String.join(" -> ", Findings.recipeChain(seed)),
                total / 60, 100 * model / total, 100 * data / total, 100 * (total - model - data) / total,
                missing.isEmpty() ? "" : "; not timed: " + String.join(", ", missing)));
        return md.toString();
    }

    private static double pct(double part, Findings.Timing t) {
        return t.wallSeconds() > 0 ? 100 * part / t.wallSeconds() : 0;
    }

    /** yes / no when the differences that pass the noise all agree or all disagree; else within noise or mixed. */
    static String verdict(double local, double localNoise, double global, double globalNoise) {
        int agree = 0;
        int disagree = 0;
        for (double[] d : new double[][] {{local, localNoise}, {global, globalNoise}}) {
            boolean clear = Double.isNaN(d[1]) ? d[0] != 0 : Math.abs(d[0]) > d[1];
            if (clear) {
                agree += d[0] > 0 ? 1 : 0;
                disagree += d[0] < 0 ? 1 : 0;
            }
        }
        return agree > 0 && disagree == 0 ? "yes" : disagree > 0 && agree == 0 ? "no" : agree == 0 ? "within noise" : "mixed";
    }

    /** One of the paper's claims measured: Δ = better − worse over the seeds both ran, its noise (2 SE), the verdict. */
    public record Direction(Findings.Claim claim, int seeds, double local, double localNoise, double global, double globalNoise,
            String verdict) {}

    /**
     * The paper's claims checked against the rows. Δ is paired by seed; its noise is twice the root of the
     * test queries' binomial variance (not divided by the seeds: they share the queries) plus, with two
     * seeds or more, the variance of the seed mean of Δ.
     */
    public static List<Direction> directions(List<Findings.Row> rows) {
        List<Direction> out = new ArrayList<>();
        for (Findings.Claim c : Findings.CLAIMS) {
            Map<Long, Findings.Row> better = bySeed(rows, c.finding(), c.better());
            Map<Long, Findings.Row> worse = bySeed(rows, c.finding(), c.worse());
            better.keySet().retainAll(worse.keySet());
            if (better.isEmpty()) {
                continue;
            }
            double[] local = new double[2];
            double[] global = new double[2];
            for (boolean isLocal : new boolean[] {true, false}) {
                double[] deltas = better.keySet().stream().mapToDouble(s -> value(better.get(s), isLocal) - value(worse.get(s), isLocal))
                        .toArray();
                double testVariance = better.keySet().stream().mapToDouble(s -> square(error(better.get(s), isLocal))
                        + square(error(worse.get(s), isLocal))).average().orElse(Double.NaN);
                double mean = java.util.Arrays.stream(deltas).average().orElse(Double.NaN);
                double seedVariance = deltas.length < 2 ? 0
                        : java.util.Arrays.stream(deltas).map(d -> square(d - mean)).sum() / (deltas.length - 1) / deltas.length;
                double[] target = isLocal ? local : global;
                target[0] = mean;
                target[1] = 2 * Math.sqrt(testVariance + seedVariance);
            }
            out.add(new Direction(c, better.size(), local[0], local[1], global[0], global[1], verdict(local[0], local[1], global[0], global[1])));
        }
        return out;
    }

    private static Map<Long, Findings.Row> bySeed(List<Findings.Row> rows, String finding, String variant) {
        Map<Long, Findings.Row> out = new java.util.TreeMap<>();
        rows.stream().filter(r -> r.finding().equals(finding) && r.variant().equals(variant)).forEach(r -> out.put(r.seed(), r));
        return out;
    }

    private static double value(Findings.Row r, boolean local) {
        return local ? r.local() : r.global();
    }

    private static double error(Findings.Row r, boolean local) {
        return local ? r.localError() : r.globalError();
    }

    private static double square(double x) {
        return x * x;
    }

    static String meanSd(double[] values) {
        double mean = java.util.Arrays.stream(values).average().orElse(Double.NaN);
        if (values.length < 2) {
            return String.format("%.1f", mean);
        }
        double var = java.util.Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / (values.length - 1);
        return String.format("%.1f ± %.1f", mean, Math.sqrt(var));
    }

    public static void write(Path file, String markdown) throws java.io.IOException {
        AtomicWriter.write(file, markdown);
    }

    /** One paragraph: the untrained baselines' means, local / global, that every variant's row must beat (empty if none). */
    public static String baselines(List<Findings.Row> baselines) {
        if (baselines.isEmpty()) {
            return "";
        }
        return baselines.stream().map(b -> String.format(java.util.Locale.ROOT, "%s %.1f / %.1f", b.variant(), b.local(), b.global()))
                .collect(java.util.stream.Collectors.joining(", ", "Untrained baselines on the same test queries and pools, mean local "
                        + "/ global (what every variant must beat): ", ".\n\n"));
    }
}
