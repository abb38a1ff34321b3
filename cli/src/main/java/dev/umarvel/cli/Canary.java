package dev.umarvel.cli;

import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.api.v1.SearchResponse;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Searches a collection again and again while something else happens to it (the quickstart's
 * Distill: deploy, re-index, alias swap), counting answers, failures and the model versions that
 * answered: what "no downtime" measures.
 */
final class Canary implements AutoCloseable {

    /** What the canary saw. */
    record Seen(int answered, int failed, java.util.List<String> models, String firstFailure) {}

    private final Thread thread;
    private volatile boolean stop;
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Set<String> models = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
    private volatile String firstFailure = "";

    Canary(RetrievalGrpc.RetrievalBlockingStub stub, String collection, String text, long pauseMillis) {
        SearchRequest request = SearchRequest.newBuilder().setCollection(collection).setTopK(10)
                .setQuery(Query.newBuilder().setContent(Content.newBuilder().setText(text))).build();
        thread = new Thread(() -> {
            while (!stop) {
                try {
                    SearchResponse r = stub.search(request);
                    models.add(r.getModelVersion());
                    answered.incrementAndGet();
                } catch (RuntimeException e) {
                    if (failed.getAndIncrement() == 0) {
                        firstFailure = e.getMessage();
                    }
                }
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "canary");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits until {@code n} more searches have answered (or a few seconds passed): what was just done gets searched too. */
    void awaitMore(int n) throws InterruptedException {
        int target = answered.get() + n;
        long until = System.nanoTime() + 5_000_000_000L;
        while (answered.get() < target && System.nanoTime() < until) {
            Thread.sleep(10);
        }
    }

    Seen seen() {
        synchronized (models) {
            return new Seen(answered.get(), failed.get(), java.util.List.copyOf(models), firstFailure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join();
    }
}
