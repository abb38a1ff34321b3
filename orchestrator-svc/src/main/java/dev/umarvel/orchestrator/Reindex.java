package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.DistillEvent;
import dev.umarvel.api.v1.DistillPhase;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.EmbedResponse;
import dev.umarvel.api.v1.PhaseStatus;
import dev.umarvel.index.VectorIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The REINDEX phase: every candidate of the live index, in did order, embedded again by the deployed
 * model (named by version, so the embedder's retained old model keeps answering the live searches)
 * and written with the same labels and content into the staged version. The last did written is
 * recorded after every batch: a resumed run goes on from there, and upserts by did make a repeated
 * batch harmless.
 */
final class Reindex {

    private static final DistillPhase PHASE = DistillPhase.DISTILL_PHASE_REINDEX;

    private Reindex() {}

    static DistillState run(Collections collections, ModelClients models, int batch, DistillState state, Path runDir,
            Consumer<DistillEvent.Builder> send) throws IOException {
        if (state.reindexDone()) {
            send.accept(Distiller.event(PHASE, PhaseStatus.PHASE_STATUS_SKIPPED, "re-indexed " + state.reindexed() + " candidates already")
                    .setFraction(1));
            return state;
        }
        VectorIndex live = collections.index(state.collection());
        VectorIndex staged = state.reindexAfter().isEmpty() ? collections.freshStaged(state.collection(), state.stagedVersion())
                : collections.staged(state.collection(), state.stagedVersion());
        long total = Math.max(1, live.size());
        send.accept(Distiller.event(PHASE, PhaseStatus.PHASE_STATUS_STARTED, "re-embedding " + total + " candidates into version "
                + state.stagedVersion() + (state.reindexAfter().isEmpty() ? "" : ", after " + state.reindexAfter())));
        long done = state.reindexed();
        try (VectorIndex.BulkWrite bulk = staged.bulkWrite()) {
            for (List<VectorIndex.Stored> page = live.page(state.reindexAfter(), batch); !page.isEmpty();
                    page = live.page(state.reindexAfter(), batch)) {
                List<EmbedItem> items = new ArrayList<>(page.size());
                for (VectorIndex.Stored s : page) {
                    items.add(EmbedItem.newBuilder().setCandidate(CandidateCodec.decode(s.content()).getContent()).build());
                }
                EmbedResponse embedded = models.embed(items, state.deployedVersion());
                List<VectorIndex.Entry> entries = new ArrayList<>(page.size());
                for (int i = 0; i < page.size(); i++) {
                    VectorIndex.Stored s = page.get(i);
                    float[] v = ModelClients.vector(embedded, i);
                    entries.add(new VectorIndex.Entry(s.did(), v, s.datasetId(), s.modality(), s.pools(), s.content()));
                }
                staged.upsert(entries);
                done += page.size();
                state = state.withReindexed(page.get(page.size() - 1).did(), done, false);
                state.write(runDir);
                send.accept(Distiller.event(PHASE, PhaseStatus.PHASE_STATUS_PROGRESS, done + " of " + total + " candidates")
                        .setFraction(Math.min(1, (double) done / total)));
            }
        }
        staged.compact(); // the version about to serve is searched as one segment, not as one per page written
        state = state.withReindexed(state.reindexAfter(), done, true);
        state.write(runDir);
        send.accept(Distiller.event(PHASE, PhaseStatus.PHASE_STATUS_DONE, done + " candidates in version " + state.stagedVersion())
                .setFraction(1));
        return state;
    }
}
