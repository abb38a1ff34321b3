package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.UpsertRequest;
import dev.umarvel.api.v1.UpsertResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Candidates with known texts, the Upsert stream as one blocking call, and the rankings the fakes imply. */
final class Fixtures {

    private Fixtures() {}

    static final String[] SUBJECTS = {"red", "blue", "green", "small", "large", "old", "young", "striped"};
    static final String[] THINGS = {"cat", "dog", "car", "boat", "house", "tree", "bird", "chair"};

    /** 64 candidates: "a red cat on grass", ...; pools: "even"/"odd" by index; dataset id index % 3. */
    static List<Candidate> catalogue() {
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < SUBJECTS.length * THINGS.length; i++) {
            String text = "a " + SUBJECTS[i % SUBJECTS.length] + " " + THINGS[i / SUBJECTS.length] + " number " + i;
            out.add(Candidate.newBuilder().setDid("9:" + i).setContent(Content.newBuilder().setText(text)).setDatasetId(i % 3)
                    .addPools(i % 2 == 0 ? "even" : "odd").putMetadata("i", String.valueOf(i)).build());
        }
        return out;
    }

    /** Sends the chunks as one stream; the response, or the status the stream ended with. */
    static UpsertResponse upsert(RetrievalGrpc.RetrievalStub stub, List<UpsertRequest> chunks) throws Exception {
        CompletableFuture<UpsertResponse> done = new CompletableFuture<>();
        StreamObserver<UpsertRequest> in = stub.upsert(new StreamObserver<>() {
            UpsertResponse last;

            @Override
            public void onNext(UpsertResponse r) {
                last = r;
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(last);
            }
        });
        chunks.forEach(in::onNext);
        in.onCompleted();
        try {
            return done.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (StatusRuntimeException) e.getCause();
        }
    }

    static List<UpsertRequest> chunks(String collection, List<Candidate> candidates, int size) {
        List<UpsertRequest> out = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i += size) {
            out.add(UpsertRequest.newBuilder().setCollection(i == 0 ? collection : "")
                    .addAllCandidates(candidates.subList(i, Math.min(candidates.size(), i + size))).build());
        }
        return out;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** The exact SINGLE ranking of the fake embedder over {@code candidates}. */
    static List<String> exactRanking(Content query, List<Candidate> candidates, int k) {
        float[] q = FakeModels.vector(query);
        return candidates.stream().sorted(Comparator.comparingDouble((Candidate c) -> -dot(q, FakeModels.vector(c.getContent()))))
                .limit(k).map(Candidate::getDid).toList();
    }
}
