package dev.umarvel.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.ListCollectionsRequest;
import dev.umarvel.api.v1.ListCollectionsResponse;
import dev.umarvel.api.v1.RetrievalGrpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.vertx.core.http.HttpServerResponse;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A call's writes reach the transport on its event loop, in the order they were made, and none after its stream closed. */
class WritesOnTheEventLoopTest {

    private final EventLoop loop = new DefaultEventLoop();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** What reached the transport, each with whether it was written on the loop. */
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final WritesOnTheEventLoop.OnLoop<ListCollectionsRequest, ListCollectionsResponse> call =
            new WritesOnTheEventLoop.OnLoop<>(new Transport(), loop, stream());

    @AfterEach
    void stop() throws InterruptedException {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    /** The transport: notes each write. */
    private final class Transport extends ServerCall<ListCollectionsRequest, ListCollectionsResponse> {
        private void note(String what) {
            written.add(what + (loop.inEventLoop() ? "" : " OFF THE LOOP"));
        }

        @Override
        public void sendHeaders(Metadata headers) {
            note("headers");
        }

        @Override
        public void sendMessage(ListCollectionsResponse message) {
            note("message " + message.getCollectionsCount());
        }

        @Override
        public void close(Status status, Metadata trailers) {
            note("close " + status.getCode());
        }

        @Override
        public void request(int n) {}

        @Override
        public boolean isCancelled() {
            return false; // as Vert.x's bridge answers for a stream its peer reset: the stream's own state is what counts
        }

        @Override
        public MethodDescriptor<ListCollectionsRequest, ListCollectionsResponse> getMethodDescriptor() {
            return RetrievalGrpc.getListCollectionsMethod();
        }
    }

    /** The call's HTTP/2 stream: only whether it has closed is read. */
    private HttpServerResponse stream() {
        return (HttpServerResponse) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {HttpServerResponse.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("closed")) {
                        return closed.get();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static ListCollectionsResponse answer(int collections) {
        ListCollectionsResponse.Builder b = ListCollectionsResponse.newBuilder();
        for (int i = 0; i < collections; i++) {
            b.addCollectionsBuilder().setName("c" + i);
        }
        return b.build();
    }

    /** Returns once every task queued on the loop before it has run. */
    private void settled() throws Exception {
        loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
    }

    /** Holds the loop until the returned latch is released; returns once the loop is held. */
    private CountDownLatch holdTheLoop() throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            held.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(held.await(5, TimeUnit.SECONDS));
        return release;
    }

    @Test
    void aWorkersAnswerIsWrittenOnTheLoopInOrder() throws Exception {
        call.sendHeaders(new Metadata());
        call.sendMessage(answer(1));
        call.sendMessage(answer(2));
        call.close(Status.OK, new Metadata());
        settled();
        assertEquals(List.of("headers", "message 1", "message 2", "close OK"), written);
    }

    @Test
    void anAnswerQueuedBeforeTheCallerResetIsDroppedOnceTheStreamHasClosed() throws Exception {
        CountDownLatch release = holdTheLoop();
        call.sendHeaders(new Metadata()); // made while the stream was open: it waits for the loop
        call.sendMessage(answer(1));
        call.close(Status.OK, new Metadata());
        closed.set(true); // the caller's RST_STREAM, read on the loop before the queued writes
        release.countDown();
        settled();
        assertEquals(List.of(), written, "a write to a closed stream is a GOAWAY for the whole connection");
    }

    @Test
    void aWriteMadeOnTheLoopRunsAfterTheWritesQueuedBeforeIt() throws Exception {
        CountDownLatch queued = new CountDownLatch(1);
        loop.execute(() -> { // on the loop, while a worker's writes wait for it
            try {
                assertTrue(queued.await(5, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            call.close(Status.OK, new Metadata());
        });
        call.sendHeaders(new Metadata()); // from a worker: queued
        call.sendMessage(answer(1));
        queued.countDown();
        settled();
        settled();
        assertEquals(List.of("headers", "message 1", "close OK"), written);
    }
}
