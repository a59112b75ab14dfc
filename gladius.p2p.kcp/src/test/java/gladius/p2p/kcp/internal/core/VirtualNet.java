package gladius.p2p.kcp.internal.core;

import gladius.p2p.Contact;
import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.Plugin;
import gladius.p2p.kcp.internal.VirtualNetworks;
import gladius.p2p.kcp.internal.observe.Addresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;

/**
 * A few nodes of the transport on one virtual clock over an in-memory network, as quinn's tests
 * run endpoints in a {@code Pair}: no socket, no thread, no real time. The simulator's engine
 * ({@link VirtualNetworks}) runs each node, its protocol core ({@link SessionLayer}) and all;
 * this class is the network between them for the core's tests: a datagram sent at time t
 * arrives at {@code t + latency} plus up to {@code jitter} (so datagrams overtake each other),
 * unless the seeded loss, a cut between two nodes or a test's filter drops it, and some arrive
 * twice. {@link #runUntil} jumps from one event to the next, so ten virtual seconds take
 * milliseconds. Every chance, the cores' own included (tags, handshake keys, node keys), comes
 * from the seed, so the same seed gives the same run, byte for byte ({@link #traceHash}).
 */
final class VirtualNet implements AutoCloseable {

    /** The wall-clock time that virtual time zero stands for. */
    private static final long EPOCH_MILLIS = 1_800_000_000_000L;

    private final SplittableRandom random;
    private final VirtualNetworks engine;
    /** Pairs of nodes that cannot reach each other now, both ways. */
    private final Set<Set<InetSocketAddress>> cut = new HashSet<>();
    private long latency = 5;
    private long jitter;
    private double loss;
    private double duplicates;
    /** Datagrams a test wants dropped: to, and the datagram; true drops it. */
    private BiPredicate<InetSocketAddress, byte[]> drop = (to, bytes) -> false;

    VirtualNet(long seed) {
        this.random = new SplittableRandom(seed);
        this.engine = new VirtualNetworks(seed, EPOCH_MILLIS, new VirtualNetworks.Links() {
            @Override
            public long delay(InetSocketAddress from, InetSocketAddress to, byte[] datagram) {
                if (cut.contains(Set.of(from, to)) || (loss > 0 && random.nextDouble() < loss) || drop.test(to, datagram)) {
                    return -1;
                }
                return latency + (jitter > 0 ? random.nextLong(jitter + 1) : 0);
            }

            @Override
            public long duplicate(InetSocketAddress from, InetSocketAddress to, byte[] datagram) {
                return duplicates > 0 && random.nextDouble() < duplicates
                        ? latency + (jitter > 0 ? random.nextLong(jitter + 1) : 0) : -1;
            }
        });
    }

    VirtualNet latency(long millis) {
        this.latency = millis;
        return this;
    }

    /** Each datagram takes up to this much longer than the latency, at random: they overtake each other. */
    VirtualNet jitter(long millis) {
        this.jitter = millis;
        return this;
    }

    VirtualNet loss(double share) {
        this.loss = share;
        return this;
    }

    /** This share of datagrams arrives twice (each copy with its own delay). */
    VirtualNet duplicates(double share) {
        this.duplicates = share;
        return this;
    }

    /** From now on nothing passes between the two, either way, until {@link #heal}. */
    void cut(Node a, Node b) {
        cut.add(Set.of(a.address, b.address));
    }

    void heal(Node a, Node b) {
        cut.remove(Set.of(a.address, b.address));
    }

    /** Runs {@code action} when the virtual clock reaches {@code at}. */
    void at(long at, Runnable action) {
        engine.at(at, action);
    }

    /** A hash of every datagram sent so far and of what became of it: two runs from one seed give the same. */
    String traceHash() {
        return engine.traceHash();
    }

    /** Drops every datagram for which this says so (to, bytes), besides the loss. */
    VirtualNet drop(BiPredicate<InetSocketAddress, byte[]> filter) {
        this.drop = filter;
        return this;
    }

    long now() {
        return engine.now();
    }

    /** Reads after which a node's core still held part of the read's buffer: must stay 0 (VirtualNetworks#readBuffersKept). */
    long readBuffersKept() {
        return engine.readBuffersKept();
    }

    /** Datagrams lost so far: the loss, cuts, the filter, and those for a stopped node. */
    long dropped() {
        return engine.datagramsLost();
    }

    /** A node at 10.0.0.n:7000 with these settings (on top of the defaults), listening. */
    Node node(int n, String... keyValues) {
        Map<String, String> settings = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        return new Node(address(n), engine.network(settings));
    }

    static InetSocketAddress address(int n) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, (byte) (n >> 8), (byte) n}), 7000);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /**
     * Runs events in time order until the condition holds (checked whenever the clock moves on),
     * for at most {@code maxMillis} of virtual time; false if it never held.
     */
    boolean runUntil(BooleanSupplier condition, long maxMillis) {
        return engine.runUntil(condition, engine.now() + maxMillis);
    }

    /** Runs every event up to {@code now + millis}, then leaves the clock there. */
    void runFor(long millis) {
        engine.runUntil(engine.now() + millis);
    }

    /** Closes every running node as {@code Network#close} does (sessions end with notice, what waits is dropped). */
    @Override
    public void close() {
        engine.close(); // a stopped node released its buffers when it crashed
        runFor(1_000);
    }

    /** One node: a network of the transport in the simulation, and a plugin that keeps what it hears. */
    final class Node {
        final InetSocketAddress address;
        final Network network;
        final List<Message> received = new CopyOnWriteArrayList<>();

        Node(InetSocketAddress address, Network network) {
            this.address = address;
            this.network = network;
            network.registerPlugin(new Plugin() {
                @Override
                public void newMessage(Message message) {
                    received.add(message);
                }
            });
            network.listen(nodeAddress());
        }

        NodeAddress nodeAddress() {
            return Addresses.nodeAddress(address);
        }

        /** Adds a node to the route table (with its key pinned, if not null), as Network#add does. */
        void add(Node other, NodeKey pinned) {
            if (pinned == null) {
                network.add(other.nodeAddress());
            } else {
                network.add(new Contact(pinned, other.nodeAddress()));
            }
        }

        /** Sends a message to a node, as a targeted broadcast does; false if its queue refused it. */
        boolean send(Node to, String type, byte[] body) {
            return network.broadcast(network.newMessage(type, body), to.nodeAddress()) > 0;
        }

        NetworkState state() {
            return network.networkState();
        }

        /** The node falls silent: nothing reaches it, nothing of it runs (a crash, or a cut cable). */
        void stop() {
            engine.crash(nodeAddress());
        }

        long count(String type) {
            return received.stream().filter(m -> m.type().equals(type)).count();
        }
    }
}
