package dev.umarvel.serving;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model a service answers with, swappable while requests flow: a caller leases the current model
 * for one batch; {@link #swap} makes later leases get the new one, and the old model is closed when
 * its last lease ends (not before: a batch never sees its weights freed under it).
 *
 * @param <M> the served model
 */
public final class ModelSlot<M extends AutoCloseable> {

    /** No model is loaded yet. */
    public static final class NotLoadedException extends Exception {
        NotLoadedException() {
            super("no model is loaded yet");
        }
    }

    /** One model and the leases on it; the slot itself holds one until the model is swapped out. */
    private static final class Holder<M extends AutoCloseable> {
        final M model;
        final AtomicInteger references = new AtomicInteger(1);

        Holder(M model) {
            this.model = model;
        }

        boolean retain() {
            while (true) {
                int n = references.get();
                if (n == 0) {
                    return false; // already released: the caller retries with the new holder
                }
                if (references.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (references.decrementAndGet() == 0) {
                try {
                    model.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing a swapped-out model failed", e);
                }
            }
        }
    }

    /** A model in use; close it when the batch is done. */
    public static final class Lease<M extends AutoCloseable> implements AutoCloseable {
        private final Holder<M> holder;
        private boolean closed;

        private Lease(Holder<M> holder) {
            this.holder = holder;
        }

        public M model() {
            return holder.model;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                holder.release();
            }
        }
    }

    private final AtomicReference<Holder<M>> current = new AtomicReference<>();
    private final AtomicReference<Holder<M>> retained = new AtomicReference<>();

    /** The current model, leased; close the lease when done. */
    public Lease<M> acquire() throws NotLoadedException {
        while (true) {
            Holder<M> h = current.get();
            if (h == null) {
                throw new NotLoadedException();
            }
            if (h.retain()) {
                return new Lease<>(h);
            }
        }
    }

    /**
     * The current or the retained model that {@code which} accepts, leased; null when neither does
     * (the current model is tried first).
     */
    public Lease<M> acquire(java.util.function.Predicate<M> which) throws NotLoadedException {
        for (AtomicReference<Holder<M>> ref : java.util.List.of(current, retained)) {
            while (true) {
                Holder<M> h = ref.get();
                if (h == null || !which.test(h.model)) {
                    break;
                }
                if (h.retain()) {
                    return new Lease<>(h);
                }
            }
        }
        if (current.get() == null) {
            throw new NotLoadedException();
        }
        return null;
    }

    /** Whether a model is loaded. */
    public boolean loaded() {
        return current.get() != null;
    }

    /**
     * Puts {@code next} in service; the previous model (returned, possibly null) stays valid for the
     * leases already taken and is closed after the last of them. Do not use the returned model
     * beyond reading what was captured about it before the swap.
     */
    public M swap(M next) {
        return swap(next, false);
    }

    /**
     * As {@link #swap(Object)}; with {@code retainPrevious} the previous model stays open as the
     * retained one (for {@link #acquire(java.util.function.Predicate)}) until the next swap. A model
     * retained before is released either way.
     */
    public M swap(M next, boolean retainPrevious) {
        Holder<M> old = current.getAndSet(new Holder<>(next));
        Holder<M> older = retained.getAndSet(retainPrevious ? old : null);
        if (older != null) {
            older.release();
        }
        if (old == null) {
            return null;
        }
        if (!retainPrevious) {
            old.release();
        }
        return old.model;
    }

    /** The retained model, if any: only to read what describes it (under a lease from {@link #acquire(java.util.function.Predicate)} to use it). */
    public M retainedModel() {
        Holder<M> h = retained.get();
        return h == null ? null : h.model;
    }

    /** Removes and releases the model (service shutdown). */
    public void clear() {
        for (AtomicReference<Holder<M>> ref : java.util.List.of(current, retained)) {
            Holder<M> old = ref.getAndSet(null);
            if (old != null) {
                old.release();
            }
        }
    }
}
