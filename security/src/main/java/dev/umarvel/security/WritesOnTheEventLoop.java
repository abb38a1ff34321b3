package dev.umarvel.security;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.netty.channel.EventLoop;
import io.quarkus.grpc.GlobalInterceptor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.impl.ContextInternal;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A caller that hangs up (a cancel, an expired deadline) no longer takes down every other call on its connection: every
 * write of a call (its headers, messages and close) happens on the event loop of the call's connection, and none is
 * made once the call's HTTP/2 stream has closed.
 *
 * <p>Why (read in vertx-core 4.5.27 and vertx-grpc-server 4.5.27, the versions Quarkus 3.33.2 brings): a caller's
 * RST_STREAM closes the stream in Netty, but Vert.x's {@code VertxHttp2Stream} records only resets it sent itself, and
 * the gRPC bridge marks the call cancelled only on some paths (measured: of 307 writes made after the stream had
 * closed, none saw {@code isCancelled()}). The late write then meets a stream Netty no longer knows: its encoder tries
 * to open the stream anew, fails with "Request stream N is not correct for server connection", and that failure of a
 * write with no listener reaches the connection handler, which answers with a GOAWAY (PROTOCOL_ERROR) and closes the
 * connection, failing every call in flight on it with INTERNAL. Measured before this class (3,000 searches with
 * deadlines around their latency, 8 in flight on one connection): 662 calls failed so; it is the GOAWAY once seen after
 * a Distill caller cancelled. Our services answer on worker threads, and a write made off the loop is queued there, so
 * the check must be made where the reset is read: on the loop, where Vert.x marks the response closed as the stream
 * closes. Upstream: quarkusio/quarkus#56268 (a late answer to a reset stream tears down the shared connection).
 *
 * <p>Writes keep their order: a write made on the loop while earlier ones are still queued runs after them.
 */
@ApplicationScoped
@GlobalInterceptor
public class WritesOnTheEventLoop implements ServerInterceptor, Prioritized {

    private static final Logger LOG = Logger.getLogger(WritesOnTheEventLoop.class.getName());

    @Override
    public int getPriority() {
        // next to the transport, inside SpecStatusMessages (which only rewrites a close) and outside AuthInterceptor: every
        // write of every interceptor inside passes through here
        return Integer.MAX_VALUE - 1;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        // Quarkus keeps the call's HTTP request in the context under this key (its own RoutingContextGrpcInterceptor
        // reads it so); ContextInternal names the loop Vert.x itself writes this stream on
        if (!(Vertx.currentContext() instanceof ContextInternal context) || !context.isEventLoopContext()
                || !(context.getLocal(RoutingContext.class.getName()) instanceof RoutingContext request)) {
            return next.startCall(call, headers); // not a Vert.x HTTP/2 stream (an in-process server): nothing to guard
        }
        return next.startCall(new OnLoop<>(call, context.nettyEventLoop(), request.response()), headers);
    }

    /**
     * A call whose writes run on {@code loop}, in the order they were made, while its stream is open. Writes made off
     * the loop wait in {@code pending} and one task runs all that are there: a unary answer (headers, message, close)
     * made by a worker costs one hop to the loop, where Vert.x's own queueing cost one per write.
     */
    static final class OnLoop<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final EventLoop loop;
        private final HttpServerResponse stream;
        private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean draining = new AtomicBoolean();

        OnLoop(ServerCall<Q, R> call, EventLoop loop, HttpServerResponse stream) {
            super(call);
            this.loop = loop;
            this.stream = stream;
        }

        private void write(String what, Runnable write) {
            pending.add(() -> writeWhileOpen(what, write));
            if (loop.inEventLoop() && !draining.get()) {
                drain(); // on the loop and no drain under way (or due): now, after any write queued before it
            } else if (draining.compareAndSet(false, true)) {
                loop.execute(this::drain);
            }
        }

        /** Runs the pending writes in order; a write queued while it runs is run by it too, or by the next drain. */
        private void drain() {
            draining.set(true);
            try {
                for (Runnable next; (next = pending.poll()) != null; ) {
                    try {
                        next.run();
                    } catch (RuntimeException e) { // its caller has moved on: a write the call refuses is only logged
                        LOG.log(Level.FINE, () -> getMethodDescriptor().getFullMethodName() + ": a write not made: " + e);
                    }
                }
            } finally {
                draining.set(false);
            }
            if (!pending.isEmpty() && draining.compareAndSet(false, true)) {
                loop.execute(this::drain); // added after the poll found none, before the flag fell
            }
        }

        /** On the loop, where the caller's reset is read: once the stream has closed, nothing may be written to it. */
        private void writeWhileOpen(String what, Runnable write) {
            if (stream.closed()) {
                LOG.log(Level.FINE, () -> what + " of " + getMethodDescriptor().getFullMethodName() + " dropped: the stream has closed");
                return;
            }
            write.run();
        }

        @Override
        public void sendHeaders(Metadata headers) {
            write("headers", () -> super.sendHeaders(headers));
        }

        @Override
        public void sendMessage(R message) {
            write("a message", () -> super.sendMessage(message));
        }

        @Override
        public void close(Status status, Metadata trailers) {
            write("the close", () -> super.close(status, trailers));
        }
    }
}
