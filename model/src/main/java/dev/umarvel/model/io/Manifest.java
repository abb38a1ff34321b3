package dev.umarvel.model.io;

import java.util.Map;

/**
 * What a checkpoint is: its files with their SHA-256, one content hash over them, and where it
 * came from.
 *
 * @param format manifest format version
 * @param kind "generative", "embedder" or "reranker"
 * @param stage the stage that wrote it, e.g. "PRETRAIN", "INSTRUCTION"
 * @param parent path of the checkpoint it was trained from ("" for a fresh model)
 * @param createdAt ISO-8601 instant
 * @param step training step at which it was written
 * @param lora the attached adapter, or null when none is attached (merged checkpoints)
 * @param files file name -> SHA-256 hex
 * @param hash SHA-256 hex over the sorted "name sha256" lines of {@code files}
 * @param labels free labels (job id, seed, data)
 */
public record Manifest(int format, String kind, String stage, String parent, String createdAt, long step, Lora lora,
        Map<String, String> files, String hash, Map<String, String> labels) {

    /** A LoRA adapter's settings, so it can be re-attached before its weights load. */
    public record Lora(int rank, float alpha, float dropout) {}

    /** The short version string services report: the first 12 hex digits of the hash. */
    public String version() {
        return hash.substring(0, 12);
    }
}
