package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Collection;
import dev.umarvel.api.v1.UpsertRequest;
import dev.umarvel.api.v1.UpsertResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One Upsert stream: chunks are checked as they arrive and written in order on a worker thread (one
 * at a time, so a stream's writes never race each other); the first failure ends the stream with its
 * status, keeping what earlier chunks wrote.
 */
final class UpsertStream implements StreamObserver<UpsertRequest> {

    private final Indexer indexer;
    private final Collections collections;
    private final OrchestratorMetrics metrics;
    private final StreamObserver<UpsertResponse> out;
    private final Function<CollectionRecord, Collection> proto;
    private final long start = System.nanoTime();
    private final long compactAfter;
    private CompletableFuture<Indexer.Written> tail = CompletableFuture.completedFuture(Indexer.Written.NONE);
    private volatile String collection;
    private int chunks;
    private volatile boolean failed;

    UpsertStream(Indexer indexer, Collections collections, OrchestratorMetrics metrics, StreamObserver<UpsertResponse> out,
            Function<CollectionRecord, Collection> proto, long compactAfter) {
        this.compactAfter = compactAfter;
        this.indexer = indexer;
        this.collections = collections;
        this.metrics = metrics;
        this.out = out;
        this.proto = proto;
        // back-pressure: take the next chunk only when the previous one is written, so a fast client cannot queue a pool in memory
        if (out instanceof io.grpc.stub.ServerCallStreamObserver<UpsertResponse> call) {
            call.disableAutoRequest();
            this.flow = call;
            call.request(1);
        } else {
            this.flow = null;
        }
    }

    private final io.grpc.stub.ServerCallStreamObserver<UpsertResponse> flow;

    private void next() {
        if (flow != null) {
            flow.request(1);
        }
    }

    /** Chunks are checked and written strictly in order: a bad chunk fails the stream after every earlier one is durable. */
    @Override
    public synchronized void onNext(UpsertRequest chunk) {
        if (failed) {
            return;
        }
        int c = chunks++;
        tail = tail.thenApplyAsync(sum -> {
            if (failed) {
                return sum;
            }
            try {
                check(chunk, c);
                Indexer.Written written = sum.plus(indexer.upsert(collection, chunk.getCandidatesList(), "chunk " + c + ": "));
                next();
                return written;
            } catch (Exception e) {
                fail(Calls.status(e));
                return sum;
            }
        }, Infrastructure.getDefaultWorkerPool());
    }

    private void check(UpsertRequest chunk, int c) {
        String where = "chunk " + c + ": ";
        if (c == 0) {
            if (chunk.getCollection().isEmpty()) {
                throw Requests.invalid(where + "collection", "empty in the first chunk");
            }
            collection = chunk.getCollection();
            collections.describe(collection);
        } else if (!chunk.getCollection().isEmpty() && !chunk.getCollection().equals(collection)) {
            throw Requests.invalid(where + "collection", "'" + chunk.getCollection() + "' differs from the first chunk's '" + collection + "'");
        }
        if (chunk.getCandidatesCount() > Requests.MAX_CANDIDATES_PER_CHUNK) {
            throw Requests.invalid(where + "candidates", "at most " + Requests.MAX_CANDIDATES_PER_CHUNK + " per chunk, got "
                    + chunk.getCandidatesCount());
        }
        for (int i = 0; i < chunk.getCandidatesCount(); i++) {
            Requests.candidate(chunk.getCandidates(i), where + "candidates[" + i + "]");
        }
    }

    private void fail(StatusRuntimeException e) {
        synchronized (this) {
            if (failed) {
                return;
            }
            failed = true;
        }
        metrics.request("Upsert", e.getStatus().getCode(), System.nanoTime() - start);
        out.onError(e);
    }

    @Override
    public void onError(Throwable t) {
        failed = true; // the client went away: stop writing after the chunk in flight
    }

    @Override
    public synchronized void onCompleted() {
        if (failed) {
            return;
        }
        tail.thenAcceptAsync(sum -> {
            if (failed) {
                return;
            }
            if (collection == null) {
                fail(Status.INVALID_ARGUMENT.withDescription("collection: the stream had no chunk").asRuntimeException());
                return;
            }
            try {
                Collection after = proto.apply(collections.describe(collection));
                long total = System.nanoTime() - start;
                metrics.request("Upsert", Status.Code.OK, total);
                out.onNext(UpsertResponse.newBuilder().setUpserted(sum.upserted()).setCreated(sum.created()).setReplaced(sum.replaced())
                        .setCollection(after).addTimings(Searcher.timing("embed", sum.embedNanos())).addTimings(Searcher.timing("write", sum.writeNanos()))
                        .addTimings(Searcher.timing("total", total)).build());
                out.onCompleted();
                if (compactAfter > 0 && sum.upserted() >= compactAfter) {
                    collections.compactLater(collection); // after the answer: the caller does not wait for the merge
                }
            } catch (Exception e) {
                fail(Calls.status(e));
            }
        }, Infrastructure.getDefaultWorkerPool());
    }
}
