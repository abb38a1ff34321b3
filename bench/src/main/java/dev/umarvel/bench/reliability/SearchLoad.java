package dev.umarvel.bench.reliability;

import dev.umarvel.api.v1.SearchResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Clients that search in a loop until closed, each on its own thread: the n-th search of client c is {@code search(c *
 * 1000 + n)}; every answer goes to {@code answered}, every failure to {@code failed}. Closing stops and joins them.
 */
final class SearchLoad implements AutoCloseable {

    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread[] clients;

    SearchLoad(int clients, IntFunction<SearchResponse> search, Consumer<SearchResponse> answered, Consumer<RuntimeException> failed) {
        this.clients = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            int client = c;
            this.clients[c] = new Thread(() -> {
                for (int n = 0; !stop.get(); n++) {
                    SearchResponse s;
                    try {
                        s = search.apply(client * 1000 + n);
                    } catch (RuntimeException e) {
                        failed.accept(e);
                        continue;
                    }
                    answered.accept(s);
                }
            }, "search-load-" + c);
            this.clients[c].setDaemon(true); // a check that throws must not leave them running
            this.clients[c].start();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : clients) {
            t.join();
        }
    }
}
