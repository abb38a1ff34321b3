package dev.umarvel.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ModelSlotTest {

    static final class Fake implements AutoCloseable {
        final String name;
        volatile boolean closed;

        Fake(String name) {
            this.name = name;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void aSwappedOutModelLivesUntilItsLastLeaseEnds() throws Exception {
        ModelSlot<Fake> slot = new ModelSlot<>();
        assertThrows(ModelSlot.NotLoadedException.class, slot::acquire);
        Fake a = new Fake("a");
        Fake b = new Fake("b");
        slot.swap(a);
        ModelSlot.Lease<Fake> inFlight = slot.acquire();
        assertEquals(a, slot.swap(b));
        assertFalse(a.closed, "a batch still runs on a");
        try (ModelSlot.Lease<Fake> next = slot.acquire()) {
            assertEquals("b", next.model().name);
        }
        assertEquals("a", inFlight.model().name);
        inFlight.close();
        inFlight.close(); // twice is harmless
        assertTrue(a.closed, "released after its last batch");
        assertFalse(b.closed);
        slot.clear();
        assertTrue(b.closed);
    }

    @Test
    void aRetainedModelStaysLeasableUntilTheNextSwapReleasesIt() throws Exception {
        ModelSlot<Fake> slot = new ModelSlot<>();
        assertThrows(ModelSlot.NotLoadedException.class, () -> slot.acquire(f -> true));
        Fake a = new Fake("a");
        Fake b = new Fake("b");
        Fake c = new Fake("c");
        slot.swap(a);
        slot.swap(b, true);
        assertFalse(a.closed, "retained");
        assertEquals(a, slot.retainedModel());
        try (ModelSlot.Lease<Fake> old = slot.acquire(f -> f.name.equals("a")); ModelSlot.Lease<Fake> now = slot.acquire()) {
            assertEquals("a", old.model().name);
            assertEquals("b", now.model().name);
        }
        assertEquals(null, slot.acquire(f -> f.name.equals("z")), "neither in service nor retained");
        ModelSlot.Lease<Fake> inFlight = slot.acquire(f -> f.name.equals("a"));
        slot.swap(c);
        assertFalse(a.closed, "a batch still runs on the released model");
        assertEquals(null, slot.retainedModel(), "nothing retained after a plain swap");
        assertTrue(b.closed, "the model replaced by a plain swap is not retained");
        inFlight.close();
        assertTrue(a.closed);
        assertEquals(null, slot.acquire(f -> f.name.equals("a")));
        slot.clear();
        assertTrue(c.closed);
    }

    @Test
    void concurrentLeasesAndSwapsNeverHandOutAClosedModel() throws Exception {
        ModelSlot<Fake> slot = new ModelSlot<>();
        slot.swap(new Fake("0"));
        AtomicInteger bad = new AtomicInteger();
        Thread[] users = new Thread[4];
        for (int t = 0; t < users.length; t++) {
            users[t] = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    try (ModelSlot.Lease<Fake> l = slot.acquire()) {
                        if (l.model().closed) {
                            bad.incrementAndGet();
                        }
                    } catch (ModelSlot.NotLoadedException e) {
                        bad.incrementAndGet();
                    }
                }
            });
            users[t].start();
        }
        for (int i = 1; i <= 200; i++) {
            slot.swap(new Fake(String.valueOf(i)));
        }
        for (Thread t : users) {
            t.join();
        }
        assertEquals(0, bad.get());
    }
}
