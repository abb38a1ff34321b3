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
        Holder<M> old = current.getAndSet(new Holder<>(next));
        if (old == null) {
            return null;
        }
        old.release();
        return old.model;
    }

    /** Removes and releases the model (service shutdown). */
    public void clear() {
        Holder<M> old = current.getAndSet(null);
        if (old != null) {
            old.release();
        }
    }
}
