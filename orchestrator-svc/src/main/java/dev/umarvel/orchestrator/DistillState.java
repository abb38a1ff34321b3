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
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DistillState(String runId, String collection, String before, String teacherFile, String poolFile, String jobId,
        String checkpoint, String previousCheckpoint, String previousVersion, String deployedVersion, int stagedVersion,
        String reindexAfter, long reindexed, boolean reindexDone, String after, boolean swapped) {

    static final String FILE = "run.json";

    static DistillState start(String runId, String collection) {
        return new DistillState(runId, collection, "", "", "", "", "", "", "", "", 0, "", 0, false, "", false);
    }

    DistillState withBefore(String summary) {
        return new DistillState(runId, collection, summary, teacherFile, poolFile, jobId, checkpoint, previousCheckpoint, previousVersion,
                deployedVersion, stagedVersion, reindexAfter, reindexed, reindexDone, after, swapped);
    }

    DistillState withTeacher(String teacher, String pool) {
        return new DistillState(runId, collection, before, teacher, pool, jobId, checkpoint, previousCheckpoint, previousVersion,
                deployedVersion, stagedVersion, reindexAfter, reindexed, reindexDone, after, swapped);
    }

    DistillState withJob(String job, String trained) {
        return new DistillState(runId, collection, before, teacherFile, poolFile, job, trained, previousCheckpoint, previousVersion,
                deployedVersion, stagedVersion, reindexAfter, reindexed, reindexDone, after, swapped);
    }

    DistillState withDeployed(String oldCheckpoint, String oldVersion, String version, int staged) {
        return new DistillState(runId, collection, before, teacherFile, poolFile, jobId, checkpoint, oldCheckpoint, oldVersion, version,
                staged, reindexAfter, reindexed, reindexDone, after, swapped);
    }

    DistillState withReindexed(String lastDid, long count, boolean done) {
        return new DistillState(runId, collection, before, teacherFile, poolFile, jobId, checkpoint, previousCheckpoint, previousVersion,
                deployedVersion, stagedVersion, lastDid, count, done, after, swapped);
    }

    DistillState withAfter(String summary) {
        return new DistillState(runId, collection, before, teacherFile, poolFile, jobId, checkpoint, previousCheckpoint, previousVersion,
                deployedVersion, stagedVersion, reindexAfter, reindexed, reindexDone, summary, swapped);
    }

    DistillState withSwapped() {
        return new DistillState(runId, collection, before, teacherFile, poolFile, jobId, checkpoint, previousCheckpoint, previousVersion,
                deployedVersion, stagedVersion, reindexAfter, reindexed, reindexDone, after, true);
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
