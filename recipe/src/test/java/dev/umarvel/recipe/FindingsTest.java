package dev.umarvel.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.mbeir.eval.baseline.Baselines;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The findings protocol end to end on tiny data with a token budget: every variant evaluated, the table written, reruns cached. */
class FindingsTest {

    @TempDir Path store;

    @Test
    void aDirectionCountsOnlyBeyondTheNoise() {
        assertEquals("yes", FindingsReport.verdict(2.0, 1.0, 0.5, 1.0));
        assertEquals("no", FindingsReport.verdict(-2.0, 1.0, -3.0, 1.0));
        assertEquals("within noise", FindingsReport.verdict(0.8, 1.0, -0.4, 1.0));
        assertEquals("mixed", FindingsReport.verdict(2.0, 1.0, -2.0, 1.0));
        // the binomial standard error of a mean over two tasks: sqrt(0.1*0.9/100 + 0.5*0.5/400) / 2 = 1.9 points
        com.fasterxml.jackson.databind.node.ObjectNode e = dev.umarvel.mbeir.Json.MAPPER.createObjectNode();
        e.putArray("tasks").add(dev.umarvel.mbeir.Json.MAPPER.createObjectNode().put("local", 10.0).put("queries", 100))
                .add(dev.umarvel.mbeir.Json.MAPPER.createObjectNode().put("local", 50.0).put("queries", 400));
        assertEquals(100 * Math.sqrt(0.09 / 100 + 0.25 / 400) / 2, Findings.standardError(e, "local"), 1e-9);
        assertTrue(Double.isNaN(Findings.standardError(e, "global")));
    }

    @Test
    void everyFindingGetsItsRowsAndARerunReusesThem() throws Exception {
        SynthGenerator.generate(store.resolve("data"), SynthSize.TINY, 5, s -> {});
        Findings.Budget budget = new Findings.Budget(new StepPlan(4, 2, 2, 4, 2, 2, 2), 4);
        List<String> log = new ArrayList<>();
        Findings findings = new Findings(store, "data", "tiny", budget, "findings", log::add);
        List<Findings.Row> rows = findings.run(List.of(1L), 0.95, Findings.SeedPolicy.ALL);
        String md = FindingsReport.markdown(rows, "Findings on tiny", "test");
        for (String f : List.of("1", "2", "3", "4", "5", "6")) {
            assertTrue(md.contains("## Finding " + f), md);
        }
        assertEquals(Findings.CLAIMS.size(), md.lines().filter(l -> l.matches("\\| \\d \\| .* \\| (yes|no|mixed|within noise) \\|")).count(), md);
        assertTrue(rows.stream().allMatch(r -> r.local() >= 0 && r.local() <= 100 && r.global() >= 0 && r.global() <= 100));
        assertTrue(rows.stream().anyMatch(r -> r.variant().startsWith("cascade")));
        assertTrue(rows.stream().allMatch(r -> r.localError() > 0 && r.localError() < 10), "every row carries its noise");
        assertTrue(md.contains(" ± "), md);

        String timing = FindingsReport.timingMarkdown(findings.timings(), 1);
        assertTrue(timing.contains("The full recipe (pretrain -> s1-text"), timing);
        assertTrue(!timing.contains("not timed"), timing);
        assertTrue(findings.timings().get("s3-seed1").modelSeconds() > 0, timing);
        assertTrue(findings.timings().values().stream().allMatch(t -> t.wallSeconds() >= t.modelSeconds()), timing);

        List<String> again = new ArrayList<>();
        Findings rerun = new Findings(store, "data", "tiny", budget, "findings", again::add);
        rerun.run(List.of(1L), 0.95, Findings.SeedPolicy.ALL);
        assertTrue(again.stream().allMatch(l -> l.startsWith("reusing")), again.toString());
        assertEquals(findings.timings(), rerun.timings(), "a rerun reports the times of the runs it reuses");
        List<Findings.Row> reported = new Findings(store, "data", "tiny", budget, "findings", s -> {}).reportOnly().run(List.of(1L), 0.95, Findings.SeedPolicy.ALL);
        assertEquals(rows, reported, "report-only reads back every row");

        // the untrained baselines on the same queries and pools, computed once and read back in report-only mode
        List<Findings.Row> baselines = findings.baselines();
        assertEquals(List.of(Baselines.CHANCE, Baselines.BM25, Baselines.PIXELS, Baselines.BEST), baselines.stream().map(Findings.Row::variant).toList());
        Findings.Row best = baselines.get(3);
        assertTrue(baselines.subList(0, 3).stream().allMatch(b -> b.local() <= best.local() && b.global() <= best.global()), baselines.toString());
        assertTrue(best.local() > baselines.get(0).local(), "BM25 or pixels beat chance on some task: " + baselines);
        assertEquals(baselines, new Findings(store, "data", "tiny", budget, "findings", s -> {}).reportOnly().baselines());
        assertTrue(FindingsReport.baselines(baselines).startsWith("Untrained baselines on the same test queries and pools"));
        assertTrue(FindingsReport.baselines(baselines).contains(String.format(java.util.Locale.ROOT, "%s %.1f / %.1f", Baselines.BEST,
                best.local(), best.global())), FindingsReport.baselines(baselines));

        // a second seed under UNCLEAR: only the findings the first seed left unclear are (here: would be) run again
        List<String> second = new ArrayList<>();
        new Findings(store, "data", "tiny", budget, "findings", second::add).reportOnly().run(List.of(1L, 2L), 0.95,
                Findings.SeedPolicy.UNCLEAR);
        java.util.Set<String> unclear = Findings.unclear(rows);
        for (String[] job : new String[][] {{"1", "f1-causal-last-seed2"}, {"2", "f2-unmasked-seed2"}, {"3", "f3-s3-only-seed2"},
                {"4", "f4-fixed-tau-seed2"}}) {
            assertEquals(unclear.contains(job[0]), second.contains("not run yet: " + job[1]), job[1] + " " + unclear + " " + second);
        }
        assertTrue(second.contains("not run yet: s3-seed2"), second.toString());
    }

    @Test
    void theVariantsTrainOnTheRecipesOwnPlan() {
        StepPlan plan = StepPlan.of("small", 1200);
        Findings.Budget budget = Findings.Budget.of("small", 1200);
        assertEquals(plan, budget.steps());
        Findings findings = new Findings(store, "data", "tiny", budget, "findings", s -> {});

        // the hard-negative variants take the recipe's negatives a query, and keep them when a variant changes other knobs
        JobSpec hard = JobSpec.of(JobKind.HARD_NEGATIVE, "data", "init", "tiny", findings.overrides(JobKind.HARD_NEGATIVE, 600), 1);
        assertEquals(StepPlan.HARD_NEGATIVES_PER_QUERY, hard.hyper().hardNegatives());
        Hyper hardOnly = FindingVariants.hyper(FindingVariants::withHardOnly, JobKind.HARD_NEGATIVE, "tiny").apply(hard).hyper();
        assertEquals(StepPlan.HARD_NEGATIVES_PER_QUERY, hardOnly.hardNegatives());
        assertTrue(hardOnly.hardNegativesOnly());
        assertEquals(600, hardOnly.maxSteps());

        // finding 5's control continues stage 3 as the hard-negative stage trains: its rate for the preset (not the paper's
        // 1.5e-5) and its batches that mix the tasks
        for (String preset : List.of("tiny", "small")) {
            JobSpec control = Findings.moreInBatch(preset).apply(JobSpec.of(JobKind.INSTRUCTION, "data", "init", preset,
                    findings.overrides(JobKind.INSTRUCTION, 600), 1));
            assertEquals(Hyper.resolve(JobKind.HARD_NEGATIVE, preset, HyperOverrides.none()).learningRate(), control.hyper().learningRate(), 1e-12);
            assertEquals(600, control.hyper().maxSteps());
            assertEquals(Hyper.resolve(JobKind.HARD_NEGATIVE, preset, HyperOverrides.none()).taskBatches(), control.hyper().taskBatches());
            assertFalse(control.hyper().taskBatches(), "mixed batches, as the hard-negative stage's");
        }
        assertEquals(1e-3, Findings.moreInBatch("tiny").apply(JobSpec.of(JobKind.INSTRUCTION, "data", "init", "tiny",
                HyperOverrides.none(), 1)).hyper().learningRate(), 1e-12);
    }

    @Test
    void severalSeedsArePairedAndTheirSpreadCountsAsNoise() {
        String base = Findings.MASKED;
        String off = "instruction masking off";
        List<Findings.Row> rows = new ArrayList<>();
        double[][] values = {{10, 8}, {12, 11}, {11, 7}}; // (masked, unmasked) local recall per seed: Δ = 2, 1, 4
        for (int s = 0; s < 3; s++) {
            rows.add(new Findings.Row("2", base, s + 1, values[s][0], values[s][0], 0.3, 0.3));
            rows.add(new Findings.Row("2", off, s + 1, values[s][1], values[s][1], 0.4, 0.4));
        }
        rows.add(new Findings.Row("2", base, 4, 50, 50, 0.3, 0.3)); // a seed only one side ran is not paired
        FindingsReport.Direction d = FindingsReport.directions(rows).get(0);
        assertEquals(3, d.seeds());
        assertEquals(7.0 / 3, d.local(), 1e-9);
        // test noise 0.3^2 + 0.4^2 = 0.25 (shared queries, not divided by 3); seed spread: var(2,1,4) = 7/3, over 3 seeds
        assertEquals(2 * Math.sqrt(0.25 + 7.0 / 3 / 3), d.localNoise(), 1e-9);
        assertEquals("yes", d.verdict());

        List<Findings.Row> oneSeed = List.of(new Findings.Row("2", base, 1, 10, 10, 1, 1), new Findings.Row("2", off, 1, 9.5, 9.5, 1, 1),
                new Findings.Row("4", Findings.LEARNABLE_TAU, 1, 10, 10, 0.1, 0.1), new Findings.Row("4", "fixed tau", 1, 5, 5, 0.1, 0.1));
        assertEquals(java.util.Set.of("2"), Findings.unclear(oneSeed), "finding 2 is within noise, finding 4 clear");
    }

    @Test
    void reportOnlyRunsNothing() throws Exception {
        SynthGenerator.generate(store.resolve("data"), SynthSize.TINY, 5, s -> {});
        List<String> log = new ArrayList<>();
        List<Findings.Row> rows = new Findings(store, "data", "tiny", new Findings.Budget(new StepPlan(4, 2, 2, 4, 2, 2, 2), 4), "nothing", log::add)
                .reportOnly().run(List.of(1L), 0.95, Findings.SeedPolicy.ALL);
        assertTrue(rows.isEmpty(), rows.toString());
        assertTrue(log.contains("not run yet: pretrain"), log.toString());
        assertTrue(new Findings(store, "data", "tiny", new Findings.Budget(new StepPlan(4, 2, 2, 4, 2, 2, 2), 4), "nothing", log::add).reportOnly()
                .baselines().isEmpty(), "report-only computes no baselines");
        assertTrue(log.stream().noneMatch(l -> l.startsWith("running")), log.toString());
        assertTrue(!java.nio.file.Files.exists(store.resolve("nothing/pretrain/final")));
    }
}
