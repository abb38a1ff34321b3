package dev.umarvel.bench.reliability;

import dev.umarvel.api.v1.DescribeCollectionRequest;
import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobState;
import dev.umarvel.api.v1.ListJobsRequest;
import dev.umarvel.cli.LocalService;
import dev.umarvel.cli.Umarvel;
import dev.umarvel.mbeir.AtomicWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench reliability}: the platform under bad input, kill -9 and overload, measured on the four packaged
 * services of a tiny quickstart store run with mutual TLS and tokens, and written to one report
 * (docs/reliability.md). Every check has a pass mark; the command fails when one is missed.
 */
public final class Reliability {

    /** The collection the run leaves in the store: the global test pool of synth-tiny, on the hard-negative model. */
    public static final String COLLECTION = "reliability";
    static final String DATA = "data/synth-tiny";
    static final String POOL = DATA + "/cand_pool/global/mbeir_union_test_cand_pool.jsonl";

    /**
     * Everything measured, and whether each mark was met. The overload has two marks: its behaviour (only
     * RESOURCE_EXHAUSTED refusals, the orchestrator up and ready) and its figures (refusals happened, admitted p99
     * bounded), which depend on how busy the machine is.
     */
    public record Result(List<BadInput.Outcome> badInput, boolean healthyAfterBadInput, long countBefore, long countAfter,
            List<Faults.Finding> faults, Overload.Run saturation, Overload.Run overload, boolean overloadBehaves, boolean overloadFiguresMet,
            double seconds) {

        /** Every mark, the timing ones included: what {@code bench reliability} exits on. */
        public boolean pass() {
            return behaves() && overloadFiguresMet;
        }

        /** Every mark that does not depend on the machine's speed or load: what the test command asserts. */
        public boolean behaves() {
            return missed().isEmpty();
        }

        /**
         * The marks of {@link #behaves()} that were missed, each with what was measured: a failing test's message says
         * which check broke even where only the end of the log survives.
         */
        public List<String> missed() {
            List<String> out = new ArrayList<>();
            badInput.stream().filter(o -> !o.pass()).forEach(o -> out.add("bad input " + o.c().rpc() + " " + o.c().input() + ": expected "
                    + o.c().expected() + ", got " + o.got() + " '" + o.description() + "'"));
            if (!healthyAfterBadInput || countBefore != countAfter) {
                out.add("after bad input: ready " + healthyAfterBadInput + ", candidates " + countBefore + " before, " + countAfter + " after");
            }
            faults.stream().filter(f -> !f.pass()).forEach(f -> out.add(f.fault() + ": " + f.measured()));
            if (!overloadBehaves) {
                out.add("load at 2x saturation: refusals " + overload.refused() + " (only RESOURCE_EXHAUSTED allowed), or the orchestrator not ready");
            }
            return out;
        }

        public long badInputPassed() {
            return badInput.stream().filter(BadInput.Outcome::pass).count();
        }
    }

    private Reliability() {
    }

    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        Path store = Path.of(a.contains("--store") ? a.get(a.indexOf("--store") + 1) : "target/reliability-store").toAbsolutePath().normalize();
        Path out = Path.of(a.contains("--out") ? a.get(a.indexOf("--out") + 1) : "docs/reliability.md").toAbsolutePath();
        Result r = run(store, out);
        System.out.println("report: " + out + (r.pass() ? " (every mark met)" : " (MARKS MISSED)"));
        if (!r.pass()) {
            System.exit(1);
        }
    }

    /** Runs every check on {@code store} (a tiny secure quickstart is made there first when missing) and writes the report. */
    public static Result run(Path store, Path out) throws Exception {
        long t0 = System.nanoTime();
        if (!Files.exists(store.resolve("security/admin.token")) || !Files.exists(store.resolve(POOL))) {
            if (Umarvel.run("quickstart", "--size", "tiny", "--store", store.toString(), "--stop", "--secure") != 0) {
                throw new IllegalStateException("the tiny quickstart failed");
            }
        }
        Path logs = store.resolve("reliability").resolve(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(':', '-'));
        try (Deployment d = serving(store, logs)) {
            List<Job> jobs = succeededJobs(d);
            String cross = checkpoint(jobs, "-cross-modal");
            String distilled = checkpoint(jobs, "distill-");

            Faults faults = new Faults(d, COLLECTION);
            List<Faults.Finding> findings = new ArrayList<>();
            findings.add(faults.orchestratorKilledMidImport(POOL, DATA));

            long before = count(d);
            List<BadInput.Outcome> bad = new BadInput(d, COLLECTION).run();
            boolean healthy = Deployment.SERVICES.stream().allMatch(s -> d.health(s) == 200);
            long after = count(d);

            findings.add(faults.rerankerKilledDuringCascadeLoad());

            Overload load = new Overload(d, COLLECTION);
            load.saturation(8, 3); // warm-up: JIT and connection pools
            Overload.Run saturation = load.saturation(16, 8);
            Overload.Run overload = load.open(2 * saturation.answeredPerSecond(), 10);
            int refused = overload.refused().getOrDefault("RESOURCE_EXHAUSTED", 0);
            boolean overloadBehaves = overload.refused().keySet().stream().allMatch("RESOURCE_EXHAUSTED"::equals)
                    && d.alive("orchestrator") && d.health("orchestrator") == 200;
            boolean overloadFigures = refused > 0 && overload.p99() <= Math.max(1000, 5 * saturation.p99());

            findings.add(faults.embedderKilledDuringHotSwap(distilled));
            findings.add(faults.trainerKilledMidJob(cross, DATA));
            // last: it leaves two replicas of each service and a Distill's model in service
            findings.addAll(new ScaleOut(d, COLLECTION).run(DATA, POOL));

            Result r = new Result(bad, healthy, before, after, findings, saturation, overload, overloadBehaves, overloadFigures, (System.nanoTime() - t0) / 1e9);
            Files.createDirectories(out.toAbsolutePath().getParent());
            AtomicWriter.write(out, ReliabilityReport.markdown(r, store.relativize(logs)));
            return r;
        }
    }

    /**
     * The four packaged services on a tiny secure quickstart {@code store}, started and ready: the embedder serving the
     * quickstart's hard-negative checkpoint and the reranker its reranker, whatever an earlier run had loaded.
     */
    public static Deployment serving(Path store, Path logs) throws Exception {
        Deployment d = new Deployment(store, store.resolve("security"), logs);
        try {
            d.start("trainer");
            List<Job> jobs = succeededJobs(d);
            d.retriever = checkpoint(jobs, "-hard-negatives");
            d.reranker = checkpoint(jobs, "-reranker");
            LocalService.forgetLoadedModels(store);
            d.start("embedder");
            d.start("reranker");
            d.start("orchestrator");
            return d;
        } catch (Exception | Error e) {
            d.close();
            throw e;
        }
    }

    private static List<Job> succeededJobs(Deployment d) {
        return d.trainer().listJobs(ListJobsRequest.newBuilder().addStates(JobState.JOB_STATE_SUCCEEDED).setPageSize(1000).build()).getJobsList();
    }

    private static long count(Deployment d) {
        return d.retrieval().describeCollection(DescribeCollectionRequest.newBuilder().setName(COLLECTION).build()).getCount();
    }

    /**
     * The output of the last of the succeeded {@code jobs} of the tiny quickstart's stage {@code part} ("-reranker": the job
     * qs-tiny-s400-reranker or a retry of it, -2, -3, ..., never qs-tiny-s400-mine-reranker, whose output is a list of hard
     * negatives), or of the last Distill run for "distill-".
     */
    static String checkpoint(List<Job> jobs, String part) {
        java.util.regex.Pattern stage = java.util.regex.Pattern.compile("qs-tiny-s\\d+" + java.util.regex.Pattern.quote(part) + "(-\\d+)?");
        return jobs.stream().filter(j -> part.startsWith("distill") ? j.getJobId().contains(part) : stage.matcher(j.getJobId()).matches())
                .reduce((x, y) -> y).map(Job::getOutput)
                .orElseThrow(() -> new IllegalStateException("no succeeded job '" + part + "' in the store: run umarvel quickstart --size tiny first"));
    }
}
