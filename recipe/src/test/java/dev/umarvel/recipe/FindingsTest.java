package dev.umarvel.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        Findings.Budget budget = new Findings.Budget(4, 2, 2, 4, 2, 2, 2, 0, 4);
        List<String> log = new ArrayList<>();
        Findings findings = new Findings(store, "data", "tiny", budget, "findings", log::add);
        List<Findings.Row> rows = findings.run(List.of(1L), 0.95);
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
        rerun.run(List.of(1L), 0.95);
        assertTrue(again.stream().allMatch(l -> l.startsWith("reusing")), again.toString());
        assertEquals(findings.timings(), rerun.timings(), "a rerun reports the times of the runs it reuses");
        List<Findings.Row> reported = new Findings(store, "data", "tiny", budget, "findings", s -> {}).reportOnly().run(List.of(1L), 0.95);
        assertEquals(rows, reported, "report-only reads back every row");
    }

    @Test
    void reportOnlyRunsNothing() throws Exception {
        SynthGenerator.generate(store.resolve("data"), SynthSize.TINY, 5, s -> {});
        List<String> log = new ArrayList<>();
        List<Findings.Row> rows = new Findings(store, "data", "tiny", new Findings.Budget(4, 2, 2, 4, 2, 2, 2, 0, 4), "nothing", log::add)
                .reportOnly().run(List.of(1L), 0.95);
        assertTrue(rows.isEmpty(), rows.toString());
        assertTrue(log.contains("not run yet: pretrain"), log.toString());
        assertTrue(log.stream().noneMatch(l -> l.startsWith("running")), log.toString());
        assertTrue(!java.nio.file.Files.exists(store.resolve("nothing/pretrain/final")));
    }
}
