package dev.umarvel.mbeir.synth;

import dev.umarvel.mbeir.MbeirCandidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One candidate pool under construction: equal content gets one did, except deliberate duplicates. */
final class CandidatePool {

    private final List<MbeirCandidate> candidates = new ArrayList<>();
    private final Map<String, String> didByContent = new HashMap<>();

    /** The did of existing equal content, or null. */
    String find(String contentKey) {
        return didByContent.get(contentKey);
    }

    /** Adds a candidate; {@code contentKey} null means: do not offer it for de-duplication. */
    void add(MbeirCandidate candidate, String contentKey) {
        candidates.add(candidate);
        if (contentKey != null) {
            didByContent.putIfAbsent(contentKey, candidate.did());
        }
    }

    List<MbeirCandidate> candidates() {
        return candidates;
    }
}
