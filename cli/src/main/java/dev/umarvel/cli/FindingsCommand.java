package dev.umarvel.cli;

import dev.umarvel.recipe.Findings;
import dev.umarvel.recipe.FindingsReport;
import dev.umarvel.recipe.StepPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/** {@code umarvel findings}: the paper's six findings reproduced on a dataset, as a markdown report. */
@Command(showDefaultValues = true, name = "findings", mixinStandardHelpOptions = true,
        description = "Reproduce the paper's findings (attention/pooling, instruction masking, progressive transition, temperature "
                + "and batch, hard negatives, distillation) with fixed seeds; every run is cached in the store, so a rerun resumes.")
final class FindingsCommand implements Callable<Integer> {

    @Option(showDefaultValue = Visibility.NEVER, names = "--store", defaultValue = ".", description = "Store root (default: here).")
    Path store;

    @Option(names = "--data", required = true, description = "Dataset directory: relative to --store, or any path.")
    String data;

    @Option(names = "--preset", defaultValue = "small", description = "Model shape every arm trains (tiny, small, base).")
    String preset;

    @Option(names = "--steps", defaultValue = "0", description = "Instruction-stage steps; the other stages follow the recipe's step "
            + "plan, as in the quickstart (default 0: the quickstart's, 400 for tiny, 1200 for small, 120 on an imported encoder).")
    long steps;

    @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "Seeds to repeat a comparison with when it is within noise.")
    List<Long> seeds;

    @Option(names = "--seed-policy", defaultValue = "UNCLEAR", description = "Which findings the seeds after the first run: "
            + "UNCLEAR (those with a comparison the first seed left within noise or mixed) or ALL.")
    Findings.SeedPolicy seedPolicy;

    @Option(names = "--threshold", defaultValue = "0.95", description = "Similarity threshold of the filtered hard negatives.")
    double threshold;

    @Option(names = "--runs", defaultValue = "findings", description = "Directory for the runs, relative to the store.")
    String runs;

    @Option(names = "--out", required = true, description = "Markdown report to write.")
    Path out;

    static final String DEFAULT_TITLE = "Findings of the paper, reproduced";

    @Option(names = "--title", defaultValue = DEFAULT_TITLE, description = "Heading of the report.")
    String title;

    @Option(names = "--notes", description = "A markdown file whose text is appended as the report's discussion (kept across regenerations; default: none).")
    Path notes;

    @Option(names = "--report-only", description = "Write the report from the runs in the store; run nothing (variants not run are left out).")
    boolean reportOnly;

    @Override
    public Integer call() throws Exception {
        Path root = store.toAbsolutePath().normalize();
        long s = steps > 0 ? steps : StepPlan.defaultSteps(preset);
        Findings.Budget b = Findings.Budget.of(preset, s);
        Findings findings = new Findings(root, data, preset, b, runs, System.out::println);
        if (reportOnly) {
            findings.reportOnly();
        }
        List<Findings.Row> rows = findings.run(seeds, threshold, seedPolicy);
        String command = "umarvel findings --store " + store + " --data " + data + " --preset " + preset + " --steps " + s
                + " --seeds " + String.join(",", seeds.stream().map(String::valueOf).toList())
                + (seedPolicy == Findings.SeedPolicy.UNCLEAR ? "" : " --seed-policy " + seedPolicy) + " --threshold " + threshold
                + " --runs " + runs + (title.equals(DEFAULT_TITLE) ? "" : " --title \"" + title + "\"")
                + (notes == null ? "" : " --notes " + notes) + " --out " + out;
        String setup = String.format("Setup: dataset `%s`, preset `%s`, seeds %s; steps per stage: pre-training %d, text %d, "
                + "cross-modal %d, instruction %d (the f4 2x-batch variants half as many), hard negatives %d (%d a query), reranker %d, "
                + "distillation %d (lists of %d); filtered mining threshold %.2f; evaluation on the test split, mean of the "
                + "tasks' M-BEIR metric (R@5, or R@10 for Fashion200K and FashionIQ).%n%n", data, preset, seeds, b.steps().pretrain(),
                b.steps().text(), b.steps().crossModal(), b.steps().instruction(), b.steps().hardNegatives(), StepPlan.HARD_NEGATIVES_PER_QUERY,
                b.steps().reranker(), b.steps().distill(), b.distillList(), threshold);
        String md = FindingsReport.markdown(rows, title, command).replaceFirst("\n\n## ", "\n\n" + java.util.regex.Matcher.quoteReplacement(
                setup + FindingsReport.baselines(findings.baselines())) + "## ") + "\n" + FindingsReport.timingMarkdown(findings.timings(), seeds.get(0));
        if (notes != null) {
            md += "\n## Discussion\n\n" + java.nio.file.Files.readString(notes).strip() + "\n";
        }
        FindingsReport.write(out, md);
        System.out.print(md);
        return 0;
    }
}
