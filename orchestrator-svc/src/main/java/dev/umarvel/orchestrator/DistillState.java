package dev.umarvel.orchestrator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How far a Distill run got, kept as {@code distill/<run_id>/run.json} in the store (written
 * atomically after every phase): what a re-run with the same id skips, and what it needs to go on.
 * Evaluation summaries are kept as their protobuf JSON.
 *
 * @param previousCheckpoint the embedder's checkpoint before the run (restored if the run fails after deploying)
 * @param previousVersion its model version (the live collection's)
 * @param reindexAfter the last did re-indexed into {@code stagedVersion} ("" before the first)
 * @param collectionCreated when the collection the run works on was created: a run resumed on a
 *     collection created again since re-runs what touches the collection, and reuses its teacher scores and training
 * @param baseVersion the model the run distils from (the live collection's when it started): teacher scores and
 *     training are only reused for a collection of that model
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DistillState(String runId, String collection, String before, String teacherFile, String poolFile, String jobId,
        String checkpoint, String previousCheckpoint, String previousVersion, String deployedVersion, int stagedVersion,
        String reindexAfter, long reindexed, boolean reindexDone, String after, boolean swapped, long collectionCreated, String baseVersion) {

    static final String FILE = "run.json";

    static DistillState start(String runId, String collection, long collectionCreated, String baseVersion) {
        return new DistillState(runId, collection, "", "", "", "", "", "", "", "", 0, "", 0, false, "", false, collectionCreated,
                baseVersion);
    }

    /** What stays valid on a collection created again: the teacher scores and the trained checkpoint. */
    DistillState forCollection(long created) {
        return new DistillState(runId, collection, "", teacherFile, poolFile, jobId, checkpoint, "", "", "", 0, "", 0, false, "", false,
                created, baseVersion);
    }

    DistillState withBefore(String summary) {
        return new DistillState(runId, collection, summary, teacherFile, poolFile, jobId, checkpoint, previousCheckpoint, previousVersion,
                deployedVersion, stagedVersion, reindexAfter, reindexed, reindexDone, after, swapped, collectionCreated, baseVersion);
    }

    DistillState withTeacher(String teacher, String pool) {
        return new DistillState(runId, collection, before, teacher, pool, jobId, checkpoint, previousCheckpoint, previousVersion,
                deployedVersion, stagedVersion, reindexAfter, reindexed, reindexDone, after, swapped, collectionCreated, baseVersion);
    }

    DistillState withJob(String job, String trained) {
        return new DistillState(runId, collection, before, teacherFile, poolFile, job, trained, previousCheckpoint, previousVersion,
                deployedVersion, stagedVersion, reindexAfter, reindexed, reindexDone, after, swapped, collectionCreated, baseVersion);
    }

    DistillState withDeployed(String oldCheckpoint, String oldVersion, String version, int staged) {
        return new DistillState(runId, collection, before, teacherFile, poolFile, jobId, checkpoint, oldCheckpoint, oldVersion, version,
                staged, reindexAfter, reindexed, reindexDone, after, swapped, collectionCreated, baseVersion);
    }

    DistillState withReindexed(String lastDid, long count, boolean done) {
        return new DistillState(runId, collection, before, teacherFile, poolFile, jobId, checkpoint, previousCheckpoint, previousVersion,
                deployedVersion, stagedVersion, lastDid, count, done, after, swapped, collectionCreated, baseVersion);
    }

    DistillState withAfter(String summary) {
        return new DistillState(runId, collection, before, teacherFile, poolFile, jobId, checkpoint, previousCheckpoint, previousVersion,
                deployedVersion, stagedVersion, reindexAfter, reindexed, reindexDone, summary, swapped, collectionCreated, baseVersion);
    }

    DistillState withSwapped() {
        return new DistillState(runId, collection, before, teacherFile, poolFile, jobId, checkpoint, previousCheckpoint, previousVersion,
                deployedVersion, stagedVersion, reindexAfter, reindexed, reindexDone, after, true, collectionCreated, baseVersion);
    }

    static DistillState read(Path dir) throws IOException {
        return Json.MAPPER.readValue(dir.resolve(FILE).toFile(), DistillState.class);
    }

    static boolean exists(Path dir) {
        return Files.exists(dir.resolve(FILE));
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        AtomicWriter.write(dir.resolve(FILE), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this));
    }
}
