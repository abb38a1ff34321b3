package dev.umarvel.bench.reliability;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** A bad-input case passes on its status and on a description that names what it must: the right code alone is not enough. */
class BadInputOutcomeTest {

    static final BadInput.Case TOP_K = new BadInput.Case("Retrieval/Search", "top_k = -1", Status.Code.INVALID_ARGUMENT, "top_k:", () -> {});

    @Test
    void theRightStatusWithoutTheFieldFails() {
        assertTrue(new BadInput.Outcome(TOP_K, Status.Code.INVALID_ARGUMENT, "top_k: must be in 1..1000, got -1").pass());
        assertFalse(new BadInput.Outcome(TOP_K, Status.Code.INVALID_ARGUMENT, "must be in 1..1000, got -1").pass());
        assertFalse(new BadInput.Outcome(TOP_K, Status.Code.INVALID_ARGUMENT, "null").pass());
        assertFalse(new BadInput.Outcome(TOP_K, Status.Code.INVALID_ARGUMENT, null).pass());
        assertFalse(new BadInput.Outcome(TOP_K, Status.Code.NOT_FOUND, "top_k: must be in 1..1000, got -1").pass());
    }

    @Test
    void onlyARefusalBelowGrpcPassesOnItsStatusAlone() {
        BadInput.Case huge = new BadInput.Case("Retrieval/Search", "70 MiB request", Status.Code.RESOURCE_EXHAUSTED, null, () -> {});
        assertTrue(huge.belowGrpc());
        assertTrue(new BadInput.Outcome(huge, Status.Code.RESOURCE_EXHAUSTED, "null").pass());
        assertFalse(new BadInput.Outcome(huge, Status.Code.INTERNAL, "null").pass());
        assertFalse(TOP_K.belowGrpc());
    }
}
