package dev.umarvel.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.SearchResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Callers whose deadline expires while their answer is being written: each such call ends DEADLINE_EXCEEDED, and no
 * other call on the same connection notices. (Before {@code dev.umarvel.security.WritesOnTheEventLoop}, the late
 * answer made the server close the whole connection with a GOAWAY, PROTOCOL_ERROR "Request stream N is not correct
 * for server connection", failing every call in flight on it with INTERNAL.)
 */
@QuarkusTest
@QuarkusTestResource(FakeModels.class)
class HungUpCallersTest {

    @GrpcClient("retrieval")
    RetrievalGrpc.RetrievalBlockingStub retrieval;

    @GrpcClient("retrieval")
    io.grpc.Channel channel;

    /** Connections, and calls on each: under the 200 resets in 30 s after which HTTP/2 servers refuse a peer as a flood. */
    static final int CONNECTIONS = 6;
    static final int CALLS = 100;

    @Test
    void deadlinesExpiringAsAnswersAreWrittenFailNoOtherCall() throws Exception {
        retrieval.dropCollection(DropCollectionRequest.newBuilder().setName("hangups").setIfExists(true).build());
        retrieval.createCollection(CreateCollectionRequest.newBuilder().setName("hangups").build());
        Fixtures.upsert(RetrievalGrpc.newStub(channel), Fixtures.chunks("hangups", SearchTest.ALL, 32));
        Map<String, Integer> outcomes = new TreeMap<>();
        Random random = new Random(7);
        for (int c = 0; c < CONNECTIONS; c++) {
            ManagedChannel connection = ManagedChannelBuilder.forAddress("localhost", 8081).usePlaintext().build();
            try {
                hangUpAroundTheAnswer(connection, random, outcomes);
            } finally {
                connection.shutdownNow();
            }
        }
        Map<String, Integer> others = new TreeMap<>(outcomes);
        others.remove("OK");
        others.remove("DEADLINE_EXCEEDED");
        others.remove("RESOURCE_EXHAUSTED: 8 searches in flight (umarvel.search.max-in-flight): retry with back-off");
        assertEquals(Map.of(), others, "calls that failed for another call's deadline");
        int expired = outcomes.getOrDefault("DEADLINE_EXCEEDED", 0);
        int answered = outcomes.getOrDefault("OK", 0);
        assertTrue(expired >= CONNECTIONS * CALLS / 10 && answered >= CONNECTIONS * CALLS / 10,
                "deadlines on both sides of the answer (else nothing raced): " + outcomes);
    }

    /** {@link #CALLS} searches on one connection, 4 in flight, each with a deadline of 0.5 to 4 times the latency of one search alone (4 in flight take longer). */
    private static void hangUpAroundTheAnswer(ManagedChannel connection, Random random, Map<String, Integer> outcomes) throws Exception {
        RetrievalGrpc.RetrievalBlockingStub blocking = RetrievalGrpc.newBlockingStub(connection);
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            blocking.search(SearchTest.query("a striped dog").setCollection("hangups").build());
        }
        long latencyMicros = (System.nanoTime() - start) / 20 / 1000;
        Semaphore inFlight = new Semaphore(4);
        CountDownLatch ended = new CountDownLatch(CALLS);
        for (int i = 0; i < CALLS; i++) {
            inFlight.acquire();
            long deadline = (long) (latencyMicros * (0.5 + 3.5 * random.nextDouble()));
            RetrievalGrpc.newStub(connection).withDeadlineAfter(deadline, TimeUnit.MICROSECONDS)
                    .search(SearchTest.query("a striped dog " + i).setCollection("hangups").build(), new StreamObserver<SearchResponse>() {
                        @Override
                        public void onNext(SearchResponse r) {}

                        @Override
                        public void onError(Throwable t) {
                            Status s = Status.fromThrowable(t);
                            end(s.getCode() == Status.Code.DEADLINE_EXCEEDED ? "DEADLINE_EXCEEDED" : s.getCode() + ": " + s.getDescription());
                        }

                        @Override
                        public void onCompleted() {
                            end("OK");
                        }

                        private void end(String outcome) {
                            synchronized (outcomes) {
                                outcomes.merge(outcome, 1, Integer::sum);
                            }
                            inFlight.release();
                            ended.countDown();
                        }
                    });
        }
        assertTrue(ended.await(120, TimeUnit.SECONDS));
    }
}
