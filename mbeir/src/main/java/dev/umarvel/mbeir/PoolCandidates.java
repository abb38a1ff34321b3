package dev.umarvel.mbeir;

import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.Image;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * A pool file's lines as the candidates a collection stores, read the same way whoever reads the file: the
 * orchestrator's ImportPool (images by store path) or the command line streaming a file of the user's (images inline).
 */
public final class PoolCandidates {

    private PoolCandidates() {
    }

    /**
     * The candidate of one pool line: its text in M-BEIR's format (as its models read it) and its image, each only
     * where the line's modality has it ({@code image} turns its img_path into the image sent); the dataset id from the
     * did; the pool labels given.
     */
    public static Candidate of(MbeirCandidate c, Function<String, Image> image, List<String> pools) {
        Content.Builder content = Content.newBuilder();
        if (c.txt() != null && c.modality().hasText()) {
            content.setText(TextNormalizer.format(c.txt()));
        }
        if (c.imgPath() != null && c.modality().hasImage()) {
            content.setImage(image.apply(c.imgPath()));
        }
        return Candidate.newBuilder().setDid(c.did()).setContent(content).setDatasetId(c.datasetId()).addAllPools(pools).build();
    }

    /** The M-BEIR root of a pool file: two levels above its directory when that lies under cand_pool/, else the directory itself. */
    public static Path root(Path poolFile) {
        Path dir = poolFile.toAbsolutePath().normalize().getParent();
        Path up = dir.getParent();
        if (up != null && up.getFileName() != null && up.getFileName().toString().equals("cand_pool")) {
            return up.getParent();
        }
        return dir.getFileName() != null && dir.getFileName().toString().equals("cand_pool") ? up : dir;
    }

    /** The pool labels a file's name gives: "mbeir_mscoco_task0_test_cand_pool.jsonl" -> [mscoco_task0]; a union pool -> none. */
    public static List<String> labels(String fileName) {
        String name = fileName.replaceFirst("^mbeir_", "").replaceFirst("_cand_pool\\.jsonl$", "").replaceFirst("\\.jsonl$", "")
                .replaceFirst("_(train|val|test)$", "");
        return name.startsWith("union") ? List.of() : List.of(name);
    }
}
