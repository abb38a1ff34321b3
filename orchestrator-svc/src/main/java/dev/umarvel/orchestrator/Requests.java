package dev.umarvel.orchestrator;

import dev.umarvel.api.StorePath;
import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.Modality;
import dev.umarvel.api.v1.SearchRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Checks of requests before any work: each failure is INVALID_ARGUMENT naming the field at fault. */
final class Requests {

    static final int MAX_CANDIDATES_PER_CHUNK = 1024;
    static final int MAX_DELETE = 10_000;

    private Requests() {}

    /** A fusion weight or a margin: a number >= 0, infinity included (NaN is not a number here). */
    static boolean atLeastZero(double x) {
        return !Double.isNaN(x) && x >= 0;
    }

    static StatusRuntimeException invalid(String field, String problem) {
        return Status.INVALID_ARGUMENT.withDescription(field + ": " + problem).asRuntimeException();
    }

    static void name(String name, String field) {
        if (name.isEmpty()) {
            throw invalid(field, "empty");
        }
        if (!Collections.NAME.matcher(name).matches()) {
            throw invalid(field, "'" + name + "' must match [a-z][a-z0-9_]{0,62}");
        }
    }

    static void range(int value, int min, int max, String field) {
        if (value < min || value > max) {
            throw invalid(field, "must be in " + min + ".." + max + ", got " + value);
        }
    }

    /** A store-relative path, resolved; refused when absolute or leaving the store (also through symbolic links). */
    static Path inStore(Path store, String relative, String field) {
        try {
            return StorePath.confine(store, relative);
        } catch (IllegalArgumentException e) {
            throw invalid(field, e.getMessage());
        }
    }

    /** A candidate of an Upsert chunk; {@code field} is e.g. "chunk 4: candidates[17]". */
    static void candidate(Candidate c, String field) {
        String did = c.getDid();
        if (did.isEmpty()) {
            throw invalid(field + ".did", "empty");
        }
        if (did.getBytes(StandardCharsets.UTF_8).length > 256 || did.chars().anyMatch(Character::isISOControl)) {
            throw invalid(field + ".did", "must be 1 to 256 bytes of UTF-8 without control characters");
        }
        if (!c.hasContent() || c.getContent().getText().isEmpty() && !c.getContent().hasImage()) {
            throw invalid(field + ".content", "empty (needs text, an image, or both)");
        }
        Content content = c.getContent();
        if (content.hasImage() && content.getImage().getSourceCase() == dev.umarvel.api.v1.Image.SourceCase.SOURCE_NOT_SET) {
            throw invalid(field + ".content.image", "neither data nor store_path is set");
        }
        if (c.getModalityValue() < 0 || c.getModality() == Modality.UNRECOGNIZED) {
            throw invalid(field + ".modality", "unknown value " + c.getModalityValue());
        }
        if (c.getModality() != Modality.MODALITY_UNSPECIFIED && c.getModality() != CandidateCodec.modalityOf(content)) {
            throw invalid(field + ".modality", c.getModality() + " contradicts the content (" + CandidateCodec.modalityOf(content) + ")");
        }
        if (c.getMetadataCount() > 32) {
            throw invalid(field + ".metadata", "at most 32 entries, got " + c.getMetadataCount());
        }
        for (Map.Entry<String, String> e : c.getMetadataMap().entrySet()) {
            int k = e.getKey().getBytes(StandardCharsets.UTF_8).length;
            if (k < 1 || k > 64 || e.getValue().getBytes(StandardCharsets.UTF_8).length > 4096) {
                throw invalid(field + ".metadata", "keys must be 1 to 64 bytes and values at most 4096 bytes");
            }
        }
        for (int i = 0; i < c.getPoolsCount(); i++) {
            if (c.getPools(i).isEmpty() || c.getPools(i).length() > 256) {
                throw invalid(field + ".pools[" + i + "]", "must be 1 to 256 characters");
            }
        }
    }

    /** The search's own fields (the query's content is checked by the embedder, which names it). */
    static void search(SearchRequest r) {
        if (r.getCollection().isEmpty()) {
            throw invalid("collection", "empty");
        }
        if (!r.hasQuery() || !r.getQuery().hasContent() || r.getQuery().getContent().getText().isEmpty()
                && !r.getQuery().getContent().hasImage()) {
            throw invalid("query.content", "empty (needs text, an image, or both)");
        }
        if (r.getModeValue() < 0 || r.getMode() == dev.umarvel.api.v1.SearchMode.UNRECOGNIZED) {
            throw invalid("mode", "unknown value " + r.getModeValue());
        }
        if (r.getDegradePolicy() == dev.umarvel.api.v1.DegradePolicy.UNRECOGNIZED) {
            throw invalid("degrade_policy", "unknown value " + r.getDegradePolicyValue());
        }
        if (r.getFusion().getRule() == dev.umarvel.api.v1.FusionRule.UNRECOGNIZED) {
            throw invalid("fusion.rule", "unknown value " + r.getFusion().getRuleValue());
        }
        if (r.getTopK() != 0) {
            range(r.getTopK(), 1, 1000, "top_k");
        }
        if (r.getRecallK() != 0) {
            range(r.getRecallK(), 1, 1000, "recall_k");
        }
        if (r.getFusion().hasWeight()) {
            double w = r.getFusion().getWeight();
            if (!atLeastZero(w)) {
                throw invalid("fusion.weight", "must be a number >= 0, got " + w);
            }
            if (r.getFusion().getRule() == dev.umarvel.api.v1.FusionRule.FUSION_RULE_CONVEX && w > 1) {
                throw invalid("fusion.weight", "alpha must be in [0, 1] for FUSION_RULE_CONVEX, got " + w);
            }
        }
        if (r.hasAutoMargin() && !atLeastZero(r.getAutoMargin())) {
            throw invalid("auto_margin", "must be a number >= 0, got " + r.getAutoMargin());
        }
        for (int i = 0; i < r.getFilter().getModalitiesCount(); i++) {
            if (r.getFilter().getModalities(i) == Modality.UNRECOGNIZED || r.getFilter().getModalities(i) == Modality.MODALITY_UNSPECIFIED) {
                throw invalid("filter.modalities[" + i + "]", "unknown value " + r.getFilter().getModalitiesValue(i));
            }
        }
    }
}
