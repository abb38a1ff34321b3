package dev.umarvel.bench.reliability;

import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DataSpec;
import dev.umarvel.api.v1.DescribeCollectionRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.GetJobRequest;
import dev.umarvel.api.v1.GetModelInfoRequest;
import dev.umarvel.api.v1.HyperParameters;
import dev.umarvel.api.v1.ImportPoolProgress;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.Job;
import dev.umarvel.api.v1.JobEvent;
import dev.umarvel.api.v1.JobKind;
import dev.umarvel.api.v1.JobSpec;
import dev.umarvel.api.v1.JobState;
import dev.umarvel.api.v1.LoadModelRequest;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.api.v1.SearchResponse;
import dev.umarvel.api.v1.StartJobRequest;
import dev.umarvel.api.v1.WatchJobRequest;
import io.grpc.Status;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** kill -9 of each service at its worst moment, and what the platform looks like afterwards. */
final class Faults {

    /** One fault: what must hold, what was measured, and whether it held. */
    record Finding(String fault, String expectation, String measured, boolean pass) {}

    private final Deployment d;
    private final String collection;

    Faults(Deployment d, String collection) {
        this.d = d;
        this.collection = collection;
    }

    /** Imports the global test pool into a fresh collection, kills the orchestrator part-way, restarts it and imports again. */
    Finding orchestratorKilledMidImport(String poolPath, String imageRoot) throws Exception {
        var r = d.retrieval();
        r.dropCollection(DropCollectionRequest.newBuilder().setName(collection).setIfExists(true).build());
        r.createCollection(CreateCollectionRequest.newBuilder().setName(collection).build());
        ImportPoolRequest request = ImportPoolRequest.newBuilder().setCollection(collection).setPoolPath(poolPath).setImageRoot(imageRoot)
                .addPools("global").setBatchSize(8).build();
        List<String> dids;
        try (var lines = Files.lines(d.store.resolve(poolPath))) {
            dids = lines.filter(l -> !l.isBlank()).map(l -> l.replaceAll(".*\"did\"\\s*:\\s*\"([^\"]+)\".*", "$1")).toList();
        }
        long unique = dids.stream().distinct().count();
        long readAtKill = -1;
        Iterator<ImportPoolProgress> progress = r.importPool(request);
        try {
            while (progress.hasNext()) {
                ImportPoolProgress p = progress.next();
                if (p.getLinesRead() >= unique / 3 && !p.getDone()) {
                    readAtKill = p.getLinesRead();
                    d.kill("orchestrator");
                    break;
                }
            }
        } catch (io.grpc.StatusRuntimeException e) {
            // the stream ends UNAVAILABLE when its server dies under it
        }
        d.start("orchestrator");
        var again = d.retrieval();
        long countAfterRestart = again.describeCollection(DescribeCollectionRequest.newBuilder().setName(collection).build()).getCount();
        again.importPool(request).forEachRemaining(p -> { });
        long count = again.describeCollection(DescribeCollectionRequest.newBuilder().setName(collection).build()).getCount();
        again.importPool(request).forEachRemaining(p -> { }); // a third run must change nothing either
        long countThird = again.describeCollection(DescribeCollectionRequest.newBuilder().setName(collection).build()).getCount();
        // a progress message is sent only once its batch is durable: the lines it counts were acknowledged. The collection was
        // empty and the import writes in file order, so every acknowledged did is there iff it holds at least that many
        long acknowledged = readAtKill < 0 ? 0 : dids.subList(0, (int) readAtKill).stream().distinct().count();
        boolean pass = readAtKill > 0 && countAfterRestart >= acknowledged && count == unique && countThird == unique;
        return new Finding("orchestrator killed mid-import", "every write acknowledged before the kill is there after the restart, "
                + "before any re-run; a re-run leaves every candidate present exactly once",
                String.format("killed after %d of %d lines were acknowledged (%d distinct dids); %d candidates right after the restart; %d after "
                        + "the re-run, %d after a third run (%d distinct dids in the pool)", readAtKill, dids.size(), acknowledged,
                        countAfterRestart, count, countThird, unique), pass);
    }

    /** Cascade searches from four clients; the reranker is killed part-way, then restarted. */
    Finding rerankerKilledDuringCascadeLoad() throws Exception {
        var r = d.retrieval();
        AtomicInteger normal = new AtomicInteger();
        AtomicInteger degraded = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Set<String> reasons = java.util.Collections.synchronizedSet(new TreeSet<>());
        // ordered by what the clients observe, not by the clock: the kill once 20 cascades were reranked, the stop once
        // 40 were answered degraded (each wait bounded, for a service that never gets there)
        java.util.concurrent.CountDownLatch reranked = new java.util.concurrent.CountDownLatch(20);
        java.util.concurrent.CountDownLatch degradedEnough = new java.util.concurrent.CountDownLatch(40);
        int beforeKill;
        try (SearchLoad load = new SearchLoad(4, n -> r.search(Queries.search(collection, n).setMode(SearchMode.SEARCH_MODE_CASCADE)
                .setRecallK(20).build()), s -> {
                    if (s.getDegraded()) {
                        degraded.incrementAndGet();
                        degradedEnough.countDown();
                        reasons.add(s.getDegradedReason().replaceAll("[0-9]+", "N"));
                    } else {
                        normal.incrementAndGet();
                        reranked.countDown();
                    }
                }, e -> {
                    failed.incrementAndGet();
                    reasons.add("FAILED " + Status.fromThrowable(e).getCode());
                })) {
            reranked.await(2, java.util.concurrent.TimeUnit.MINUTES);
            beforeKill = normal.get();
            d.kill("reranker");
            degradedEnough.await(2, java.util.concurrent.TimeUnit.MINUTES);
        }
        boolean orchestratorUp = d.alive("orchestrator") && d.health("orchestrator") == 200;
        d.start("reranker");
        // the orchestrator's channel reconnects on gRPC's back-off schedule (1 s growing 1.6x while the reranker was away)
        long restarted = System.nanoTime();
        double recoverySeconds = -1;
        for (int n = 0; System.nanoTime() - restarted < 60_000_000_000L; n++) {
            if (!r.search(Queries.search(collection, n).setMode(SearchMode.SEARCH_MODE_CASCADE).setRecallK(20).build()).getDegraded()) {
                recoverySeconds = (System.nanoTime() - restarted) / 1e9;
                break;
            }
            Thread.sleep(100);
        }
        boolean recoveredIn = recoverySeconds >= 0;
        boolean pass = failed.get() == 0 && degraded.get() > 0 && beforeKill > 0 && orchestratorUp && recoveredIn;
        return new Finding("reranker killed during cascade load", "degraded, flagged answers; no failed search; no crash; reranked again after its restart",
                String.format("%d reranked answers (%d before the kill), %d degraded and flagged, %d failed; orchestrator ready: %s; "
                        + "cascades reranked again %.1f s after the reranker was ready; reasons: %s", normal.get(), beforeKill, degraded.get(),
                        failed.get(), orchestratorUp, recoverySeconds, reasons), pass);
    }

    /**
     * Starts a LoadModel (retaining the old model, as Distill's DEPLOY does) and kills the embedder while it loads.
     * After the restart the embedder serves what the last completed LoadModel left: the old model when the kill
     * interrupted it, else the new one with the old retained (a swap that finished while its answer was lost to the kill
     * leaves the new one too); either way searches of the collection (bound to the old version) keep working.
     */
    Finding embedderKilledDuringHotSwap(String newCheckpoint) throws Exception {
        var e = d.embedder();
        String old = e.getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel().getVersion();
        CompletableFuture<String> swap = CompletableFuture.supplyAsync(() -> {
            try {
                return e.loadModel(LoadModelRequest.newBuilder().setCheckpointPath(newCheckpoint).setRetainPrevious(true).build())
                        .getCurrent().getVersion();
            } catch (RuntimeException x) {
                return Status.fromThrowable(x).getCode().toString();
            }
        });
        Thread.sleep(30);
        d.kill("embedder");
        String swapOutcome = swap.get();
        boolean interrupted = !swapOutcome.matches("[0-9a-f]{12}");
        boolean orchestratorUp = d.alive("orchestrator");
        d.start("embedder");
        String served = d.embedder().getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel().getVersion();
        SearchResponse s = d.retrieval().search(Queries.search(collection, 7).build());
        // a LoadModel the client saw fail may still have finished in the service before the kill reached it (the answer was
        // lost, not the swap): then either model is a right one to serve after the restart, and nothing else is
        String fresh = dev.umarvel.model.io.Checkpoint.verify(d.store.resolve(newCheckpoint)).version();
        boolean servesARightOne = interrupted ? served.equals(old) || served.equals(fresh) : served.equals(swapOutcome);
        boolean pass = servesARightOne && s.getModelVersion().equals(old) && s.getHitsCount() > 0 && orchestratorUp;
        return new Finding("embedder killed during a hot swap", "the old model keeps serving its collection after the restart",
                String.format("LoadModel of %s answered %s (%s); after the restart the embedder serves %s (old %s); a search of the "
                        + "collection answered %d hits embedded by %s", newCheckpoint, swapOutcome, interrupted ? "the kill interrupted it"
                        : "it completed first", served, old, s.getHitsCount(), s.getModelVersion()), pass);
    }

    /** The same job twice: once uninterrupted, once with the trainer killed part-way and restarted. */
    Finding trainerKilledMidJob(String initCheckpoint, String dataset) throws Exception {
        var t = d.trainer();
        long stamp = System.currentTimeMillis();
        JobSpec spec = JobSpec.newBuilder().setKind(JobKind.JOB_KIND_INSTRUCTION).setPreset("tiny").setInitCheckpoint(initCheckpoint)
                .setData(DataSpec.newBuilder().setDatasetDir(dataset).setSkipValidation(true))
                .setHyper(HyperParameters.newBuilder().setMaxSteps(240).setCheckpointEverySteps(40)).setSeed(7).build();
        String reference = "rel-" + stamp + "-whole";
        String interrupted = "rel-" + stamp + "-killed";
        t.startJob(StartJobRequest.newBuilder().setJobId(reference).setSpec(spec).build());
        Job whole = waitFor(t, reference);
        t.startJob(StartJobRequest.newBuilder().setJobId(interrupted).setSpec(spec).build());
        long stepAtKill = -1;
        Iterator<JobEvent> events = t.watchJob(WatchJobRequest.newBuilder().setJobId(interrupted).build());
        try {
            while (events.hasNext()) {
                JobEvent ev = events.next();
                if (ev.hasProgress() && ev.getProgress().getStep() >= 100) {
                    stepAtKill = ev.getProgress().getStep();
                    d.kill("trainer");
                    break;
                }
            }
        } catch (io.grpc.StatusRuntimeException x) {
            // the stream ends when its server dies
        }
        d.start("trainer");
        Job resumed = waitFor(d.trainer(), interrupted);
        byte[] a = Files.readAllBytes(d.store.resolve(whole.getOutput()).resolve("parameters.bin"));
        byte[] b = Files.readAllBytes(d.store.resolve(resumed.getOutput()).resolve("parameters.bin"));
        boolean same = Arrays.equals(a, b);
        boolean pass = stepAtKill > 0 && stepAtKill < 240 && resumed.getState() == JobState.JOB_STATE_SUCCEEDED && same;
        return new Finding("trainer killed mid-job", "the job resumes after the restart and ends at the same final checkpoint",
                String.format("killed at step %d of 240 (checkpoints every 40); after the restart the job ended %s; its parameters.bin "
                        + "(%d bytes) is %s that of the uninterrupted run", stepAtKill, resumed.getState().name().replace("JOB_STATE_", ""),
                        b.length, same ? "byte-identical to" : "DIFFERENT from"), pass);
    }

    private static Job waitFor(dev.umarvel.api.v1.TrainerGrpc.TrainerBlockingStub t, String id) throws InterruptedException {
        long until = System.nanoTime() + 600_000_000_000L;
        while (System.nanoTime() < until) {
            Job j = t.getJob(GetJobRequest.newBuilder().setJobId(id).build());
            switch (j.getState()) {
                case JOB_STATE_SUCCEEDED, JOB_STATE_FAILED, JOB_STATE_CANCELLED -> {
                    return j;
                }
                default -> Thread.sleep(250);
            }
        }
        throw new IllegalStateException("job " + id + " did not end in 10 minutes");
    }
}
