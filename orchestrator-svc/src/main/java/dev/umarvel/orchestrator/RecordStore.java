package dev.umarvel.orchestrator;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Collection records on the store that every orchestrator replica shares. A read is served from memory and checked
 * against the file at most every {@code refresh} (a stat: every write renames a new file into place, so a changed
 * record is a changed file identity), so a swap or drop by another replica is seen within that bound. A write
 * re-reads the record under a lock held across processes, so two replicas never lose each other's changes. Leases
 * (a Distill run's hold on a collection, a re-index's block on its writes) are files the other replicas honour; their
 * holder renews them every few seconds, and one not renewed for {@link #LEASE} (its holder was killed) lapses.
 */
final class RecordStore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RecordStore.class);

    /** How long a lease lives without renewal: six missed renewals, far beyond a GC pause or a slow disk. */
    static final Duration LEASE = Duration.ofSeconds(60);

    /** The functional interface of a write: the record as on disk now (null when none), under the lock. */
    interface Update<T> {
        T apply(CollectionRecord current) throws IOException;
    }

    /** A record as last read or written, with the identity of the file it came from and when that was last checked. */
    private record Known(CollectionRecord record, Object fileKey, FileTime modified, long checkedNanos) {
    }

    private final Path root;
    private final long refreshNanos;
    /** This process, as written in the leases it holds: a restarted replica is another holder. */
    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private final Map<String, Object> monitors = new ConcurrentHashMap<>();
    private final Set<Path> leases = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat("collection-leases").setDaemon(true).build());

    RecordStore(Path root, Duration refresh) {
        this.root = root;
        this.refreshNanos = refresh.toNanos();
        long every = LEASE.toMillis() / 6;
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    Path dir(String name) {
        return root.resolve(name);
    }

    /** The record of {@code name}: NOT_FOUND when there is none (or another replica dropped it). */
    CollectionRecord read(String name) {
        Known k = known.get(name);
        long now = System.nanoTime();
        if (k != null && now - k.checkedNanos() < refreshNanos) {
            return k.record();
        }
        Path file = dir(name).resolve(CollectionRecord.FILE);
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (k != null && Objects.equals(a.fileKey(), k.fileKey()) && a.lastModifiedTime().equals(k.modified())) {
                known.put(name, new Known(k.record(), k.fileKey(), k.modified(), now));
                return k.record();
            }
            CollectionRecord r = CollectionRecord.read(dir(name));
            known.put(name, new Known(r, a.fileKey(), a.lastModifiedTime(), now));
            return r;
        } catch (NoSuchFileException gone) {
            known.remove(name);
            throw Status.NOT_FOUND.withDescription("collection: no collection named " + name).asRuntimeException();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code update} on the record as it is on disk now, holding the collection's lock in this process and across
     * processes; a record it returns is written (atomically) and remembered.
     */
    <T> T write(String name, Update<T> update) throws IOException {
        synchronized (monitors.computeIfAbsent(name, n -> new Object())) {
            Files.createDirectories(dir(name));
            try (FileChannel channel = FileChannel.open(dir(name).resolve(".record.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                Path file = dir(name).resolve(CollectionRecord.FILE);
                T result = update.apply(Files.exists(file) ? CollectionRecord.read(dir(name)) : null);
                if (result instanceof CollectionRecord r) {
                    r.write(dir(name));
                    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                    known.put(name, new Known(r, a.fileKey(), a.lastModifiedTime(), System.nanoTime()));
                } else if (!Files.exists(file)) {
                    known.remove(name);
                }
                return result;
            }
        }
    }

    /** Takes lease {@code kind} of a collection; false when this process or a live holder elsewhere has it. */
    boolean acquire(String name, String kind) throws IOException {
        Path lease = leaseFile(name, kind);
        return write(name, current -> {
            if (leases.contains(lease) || liveElsewhere(lease)) {
                return false;
            }
            dev.umarvel.mbeir.AtomicWriter.write(lease, owner);
            leases.add(lease);
            return true;
        });
    }

    /** Gives lease {@code kind} back (when this process holds it). */
    void release(String name, String kind) {
        Path lease = leaseFile(name, kind);
        if (leases.remove(lease)) {
            try {
                Files.deleteIfExists(lease);
            } catch (IOException e) {
                LOG.warnf("lease %s stays until it lapses: %s", lease, e.getMessage());
            }
        }
    }

    /** Whether any replica (this one included) holds lease {@code kind} of the collection. */
    boolean held(String name, String kind) {
        Path lease = leaseFile(name, kind);
        return leases.contains(lease) || liveElsewhere(lease);
    }

    /** Where lease {@code kind} of a collection lives: {@code <collection>/<kind>.lease}. */
    private Path leaseFile(String name, String kind) {
        return dir(name).resolve(kind + ".lease");
    }

    /** A lease file another process wrote and renewed within {@link #LEASE}. */
    private boolean liveElsewhere(Path lease) {
        try {
            FileTime renewed = Files.getLastModifiedTime(lease);
            return System.currentTimeMillis() - renewed.toMillis() < LEASE.toMillis() && !Files.readString(lease).equals(owner);
        } catch (NoSuchFileException none) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void renew() {
        for (Path lease : leases) {
            try {
                Files.setLastModifiedTime(lease, FileTime.fromMillis(System.currentTimeMillis()));
            } catch (IOException e) {
                LOG.warnf("could not renew lease %s: %s", lease, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        renewer.shutdownNow();
        for (Path lease : Set.copyOf(leases)) {
            String name = lease.getParent().getFileName().toString();
            release(name, lease.getFileName().toString().replace(".lease", ""));
        }
    }
}
