package dev.umarvel.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.Collection;
import dev.umarvel.api.v1.DescribeCollectionRequest;
import dev.umarvel.api.v1.DistillEvent;
import dev.umarvel.api.v1.ListCollectionsRequest;
import dev.umarvel.api.v1.RetrievalGrpc;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Distill run outlives its caller: one that closed its connection, and one that cancelled its call but keeps its
 * connection, which must go on working after the run ends (it once ended in a GOAWAY: a write on the reset stream, which
 * {@code dev.umarvel.security.WritesOnTheEventLoop} now prevents; {@link HungUpCallersTest} races it on purpose).
 */
@QuarkusTest
@QuarkusTestResource(FakeModels.class)
class DistillCallerTest {

    @GrpcClient("retrieval")
    RetrievalGrpc.RetrievalBlockingStub retrieval;

    @Inject
    MeterRegistry registry;

    @BeforeEach
    void reset() throws Exception {
        DistillTest.prepare();
    }

    /** Starts a run on {@code own}, returns once its first event arrived, the run held at its re-index. */
    private static Context.CancellableContext started(ManagedChannel own, String collection) throws InterruptedException {
        FakeModels.reindexGate = new CountDownLatch(1); // the run outlasts the call
        CountDownLatch first = new CountDownLatch(1);
        Context.CancellableContext call = Context.current().withCancellation();
        call.run(() -> RetrievalGrpc.newStub(own).distill(DistillTest.request(collection).build(), new StreamObserver<>() {
            @Override
            public void onNext(DistillEvent e) {
                first.countDown();
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        }));
        assertTrue(first.await(30, TimeUnit.SECONDS));
        return call;
    }

    /** Runs that ended, counted after their last message was written (Calls records a call's status after answering). */
    private double distillsEnded() {
        return registry.find("umarvel.requests").tag("rpc", "Distill").timers().stream().mapToDouble(Timer::count).sum();
    }

    /** Releases the held run and waits until it has ended and answered (or dropped the answer of a caller gone). */
    private Collection finished(String collection, double endedBefore) throws InterruptedException {
        FakeModels.reindexGate.countDown();
        long until = System.nanoTime() + 60_000_000_000L;
        while (distillsEnded() == endedBefore && System.nanoTime() < until) {
            Thread.sleep(50); // polls an observable state: the run's recorded end
        }
        assertTrue(distillsEnded() > endedBefore, "the run did not end");
        return retrieval.describeCollection(DescribeCollectionRequest.newBuilder().setName(collection).build());
    }

    @Test
    void aRunGoesOnWhenItsCallerClosesItsConnection() throws Exception {
        DistillTest.collection(retrieval, "orphan");
        double ended = distillsEnded();
        // a connection of its own, closed after the first event: the caller is gone, not just one of its calls
        ManagedChannel own = ManagedChannelBuilder.forAddress("localhost", 8081).usePlaintext().build();
        started(own, "orphan");
        own.shutdownNow();
        assertTrue(own.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(2, finished("orphan", ended).getIndexVersion(), "the run finished without its caller");
    }

    @Test
    void aCallerThatCancelledKeepsAWorkingConnection() throws Exception {
        DistillTest.collection(retrieval, "cancelled");
        double ended = distillsEnded();
        ManagedChannel own = ManagedChannelBuilder.forAddress("localhost", 8081).usePlaintext().build();
        try {
            started(own, "cancelled").cancel(null); // RST_STREAM on this call; the connection stays
            assertEquals(2, finished("cancelled", ended).getIndexVersion(), "the run finished without its caller");
            var same = RetrievalGrpc.newBlockingStub(own);
            for (int i = 0; i < 20; i++) { // the same connection, after the run's end was written or dropped
                assertTrue(same.listCollections(ListCollectionsRequest.getDefaultInstance()).getCollectionsCount() > 0);
            }
        } finally {
            own.shutdownNow();
        }
    }
}
