package dev.umarvel.orchestrator;

import io.grpc.Channel;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The replicas of one model service, each on a channel of its own. A call goes to the next replica in turn (round
 * robin per call: one connection through a Kubernetes Service pins every call to one pod); a replica that is lost
 * (UNAVAILABLE: killed, restarting, draining; or its connection closed mid-call) hands the call on to the next, so
 * losing a replica fails no call that another can answer. What must reach every replica (a model rollout) reaches each
 * on its own channel.
 *
 * <p>Each configured {@code host:port} is resolved when {@link #resolve()} runs (at start and every few seconds): a
 * name with several addresses (a headless Service) is one replica per address, so pods that come and go are followed.
 */
final class Replicas implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Replicas.class);

    /** Where a replica is: {@code socket} null for a name gRPC resolves itself (one address, or none yet). */
    record Endpoint(String address, String authority, InetSocketAddress socket) {
    }

    /**
     * One replica: where it is, its channel, the calls it answered and the calls it handed on (lost), and when it was last
     * asked to reconnect (System.nanoTime).
     */
    record Replica(String address, ManagedChannel channel, Counter answered, Counter handedOn, AtomicLong reconnected) {
    }

    /**
     * How often a replica whose connection failed is asked to connect again while calls arrive. gRPC's own back-off
     * grows 1.6x an attempt up to two minutes, so a replica back after a long outage would otherwise wait out the rest
     * of it unused; a connection attempt a second costs a refused connect.
     */
    static final long RECONNECT_EVERY_NANOS = 1_000_000_000L;

    private final String service;
    private final List<String> configured;
    private final Function<Endpoint, ManagedChannel> open;
    private final MeterRegistry registry;
    private final ExecutorService each;
    private final AtomicInteger turn = new AtomicInteger();
    private volatile List<Replica> replicas = List.of();

    /** {@code configured}: host:port entries; {@code open} builds a replica's channel; {@code each} runs {@link #each}'s calls. */
    Replicas(String service, List<String> configured, Function<Endpoint, ManagedChannel> open, MeterRegistry registry, ExecutorService each) {
        if (configured.isEmpty()) {
            throw new IllegalArgumentException("umarvel.models." + service + ": no replica configured");
        }
        this.service = service;
        this.configured = List.copyOf(configured);
        this.open = open;
        this.registry = registry;
        this.each = each;
        resolve();
    }

    /** The replicas now, in order. */
    List<Replica> all() {
        return replicas;
    }

    /** Resolves the configured names again: replicas that appeared get a channel, those gone are drained and closed. */
    synchronized void resolve() {
        Map<String, Endpoint> wanted = new LinkedHashMap<>();
        for (String entry : configured) {
            for (Endpoint e : endpoints(entry)) {
                wanted.putIfAbsent(e.address(), e);
            }
        }
        Map<String, Replica> kept = new LinkedHashMap<>();
        for (Replica r : replicas) {
            kept.put(r.address(), r);
        }
        List<Replica> next = new ArrayList<>();
        for (Endpoint e : wanted.values()) {
            Replica r = kept.remove(e.address());
            next.add(r != null ? r : new Replica(e.address(), open.apply(e), counter("answered", e.address()), counter("handed_on", e.address()),
                    new AtomicLong(System.nanoTime() - RECONNECT_EVERY_NANOS)));
        }
        replicas = List.copyOf(next);
        for (Replica gone : kept.values()) {
            LOG.infof("%s replica %s is gone from the names resolved; draining its channel", service, gone.address());
            gone.channel().shutdown();
        }
    }

    /**
     * {@code rpc} on one replica, the next in turn; when that replica is {@link #lost} on the next, until one answers.
     * Replicas whose connection failed are tried last, and asked to reconnect now rather than after gRPC's back-off.
     */
    <T> T call(Function<Channel, T> rpc) {
        List<Replica> all = replicas;
        int first = Math.floorMod(turn.getAndIncrement(), all.size());
        List<Replica> order = new ArrayList<>(all.size());
        List<Replica> failing = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Replica r = all.get((first + i) % all.size());
            if (r.channel().getState(true) == ConnectivityState.TRANSIENT_FAILURE) {
                reconnectSoon(r);
                failing.add(r);
            } else {
                order.add(r);
            }
        }
        order.addAll(failing);
        StatusRuntimeException last = null;
        for (Replica r : order) {
            try {
                T answer = rpc.apply(r.channel());
                r.answered().increment();
                return answer;
            } catch (StatusRuntimeException e) {
                if (!lost(e.getStatus())) {
                    throw e;
                }
                r.handedOn().increment();
                last = e;
            }
        }
        String none = all.size() == 1 ? "its one replica did not answer" : "none of its " + all.size() + " replicas answered";
        throw Status.UNAVAILABLE.withDescription(service + ": " + none + " (last: "
                + last.getStatus().getDescription() + ")").withCause(last).asRuntimeException();
    }

    /** Asks a replica in back-off to connect now, at most once every {@link #RECONNECT_EVERY_NANOS} whatever the calls' rate. */
    private static void reconnectSoon(Replica r) {
        long now = System.nanoTime();
        long last = r.reconnected().get();
        if (now - last >= RECONNECT_EVERY_NANOS && r.reconnected().compareAndSet(last, now)) {
            r.channel().resetConnectBackoff();
        }
    }

    /**
     * Whether a call failed because its replica is gone rather than because the replica answered so: UNAVAILABLE, or
     * the UNKNOWN "channel closed" that grpc-netty reports when the connection dies while the call is being written
     * (its cause a ClosedChannelException; seen when a replica is killed under load). The model calls handed on are
     * reads, so asking another replica is safe.
     */
    static boolean lost(Status s) {
        return s.getCode() == Status.Code.UNAVAILABLE || s.getCode() == Status.Code.UNKNOWN && s.getCause() instanceof ClosedChannelException;
    }

    /**
     * {@code rpc} on every replica at once: their answers by replica address, in replica order; when any failed, the
     * first failure's status, with every failure named by replica and how many answered.
     */
    <T> Map<String, T> each(Function<Channel, T> rpc) {
        List<Replica> all = replicas;
        List<CompletableFuture<T>> calls = all.stream().map(r -> CompletableFuture.supplyAsync(() -> rpc.apply(r.channel()), each)).toList();
        Map<String, T> answers = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        Status first = null;
        for (int i = 0; i < all.size(); i++) {
            try {
                answers.put(all.get(i).address(), calls.get(i).join());
            } catch (CompletionException e) {
                Status s = Status.fromThrowable(e.getCause());
                first = first == null ? s : first;
                failures.add("replica " + all.get(i).address() + ": " + s.getCode() + " " + s.getDescription());
            }
        }
        if (first != null) {
            throw first.withDescription(service + ": " + String.join("; ", failures) + " (" + answers.size() + " of " + all.size()
                    + " replicas answered)").asRuntimeException();
        }
        return answers;
    }

    @Override
    public void close() {
        replicas.forEach(r -> r.channel().shutdownNow());
    }

    /** A {@code host:port} entry as endpoints: one per address of a name with several, else the name itself. */
    private List<Endpoint> endpoints(String entry) {
        int colon = entry.lastIndexOf(':');
        if (colon <= 0 || colon == entry.length() - 1) {
            throw new IllegalArgumentException("umarvel.models." + service + ": '" + entry + "' is not host:port");
        }
        String host = entry.substring(0, colon);
        int port = Integer.parseInt(entry.substring(colon + 1));
        try {
            // one family: "localhost" is 127.0.0.1 and ::1, one replica; a headless Service's pods are all IPv4 (or all IPv6)
            List<InetAddress> all = List.of(InetAddress.getAllByName(host));
            List<InetAddress> v4 = all.stream().filter(a -> a instanceof Inet4Address).toList();
            List<InetAddress> addresses = v4.isEmpty() ? all : v4;
            if (addresses.size() > 1) {
                List<Endpoint> each = new ArrayList<>();
                for (InetAddress a : addresses) {
                    each.add(new Endpoint(a.getHostAddress() + ":" + port, entry, new InetSocketAddress(a, port)));
                }
                return each;
            }
        } catch (UnknownHostException e) {
            LOG.debugf("%s: %s does not resolve yet; gRPC resolves it when it does", service, host);
        }
        return List.of(new Endpoint(entry, entry, null));
    }

    private Counter counter(String outcome, String address) {
        return Counter.builder("umarvel.replica.calls").tag("service", service).tag("replica", address).tag("outcome", outcome)
                .register(registry);
    }
}
