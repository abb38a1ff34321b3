package dev.umarvel.trainer;

import com.google.protobuf.Timestamp;
import dev.umarvel.api.v1.CheckpointInfo;
import dev.umarvel.api.v1.ListCheckpointsRequest;
import dev.umarvel.api.v1.ListCheckpointsResponse;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.io.CheckpointException;
import dev.umarvel.model.io.Manifest;
import dev.umarvel.recipe.InvalidSpecException;
import dev.umarvel.recipe.JobContext;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Finds the checkpoints under a store directory and describes them from their manifests. */
@ApplicationScoped
public class CheckpointCatalog {

    @Inject
    JobManager jobs;

    ListCheckpointsResponse list(ListCheckpointsRequest request) {
        Path store = jobs.store();
        Path root;
        try {
            root = request.getUnder().isEmpty() ? store : JobContext.confine(store, "under", request.getUnder());
        } catch (InvalidSpecException e) {
            throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
        }
        if (!request.getJobId().isEmpty()) {
            root = store.resolve("jobs").resolve(request.getJobId());
        }
        if (!Files.isDirectory(root)) {
            throw Status.NOT_FOUND.withDescription("under: no directory " + store.relativize(root)).asRuntimeException();
        }
        List<CheckpointInfo> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root, 6)) {
            for (Path manifest : walk.filter(p -> p.getFileName().toString().equals(Checkpoint.MANIFEST)).toList()) {
                Path dir = manifest.getParent();
                if (dir.getFileName().toString().startsWith(".")) {
                    continue; // a temporary directory being written
                }
                CheckpointInfo info = describe(store, dir, request.getJobId());
                if (info != null && (!request.getFinalOnly() || info.getFinal())) {
                    out.add(info);
                }
            }
        } catch (IOException e) {
            throw Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException();
        }
        out.sort(Comparator.comparingLong((CheckpointInfo c) -> c.getCreatedAt().getSeconds()).reversed());
        return ListCheckpointsResponse.newBuilder().addAllCheckpoints(out).build();
    }

    private static CheckpointInfo describe(Path store, Path dir, String jobId) throws IOException {
        Manifest m;
        ModelConfig config;
        try {
            m = Checkpoint.verify(dir);
            config = Checkpoint.readConfig(dir);
        } catch (CheckpointException e) {
            return null; // damaged checkpoints are not offered
        }
        long size;
        try (Stream<Path> files = Files.list(dir)) {
            size = files.mapToLong(f -> f.toFile().length()).sum();
        }
        Instant created = Instant.parse(m.createdAt());
        String relative = store.relativize(dir).toString();
        String owner = jobId.isEmpty() && relative.startsWith("jobs/") ? relative.split("/")[1] : jobId;
        return CheckpointInfo.newBuilder().setPath(relative).setHash(m.hash()).setStage(m.stage()).setParent(m.parent())
                .setCreatedAt(Timestamp.newBuilder().setSeconds(created.getEpochSecond()).setNanos(created.getNano()))
                .setJobId(owner).setStep(m.step()).setPreset(config.preset()).setDimension(config.width()).setSizeBytes(size)
                .setFinal(!"checkpoint".equals(m.kind())).build();
    }
}
