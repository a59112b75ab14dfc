package gladius.p2p.kcp.internal;

import gladius.p2p.Message;
import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.Plugin;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;

/**
 * Protocol cores ({@link SessionLayer}) on one virtual clock over an in-memory network, as quinn's
 * tests run endpoints in a {@code Pair}: no socket, no thread, no real time. Each core's
 * {@link Driver} is this network; a datagram written at time t arrives at {@code t + latency}
 * plus up to {@code jitter} (so datagrams overtake each other), unless the seeded loss, a cut
 * between two nodes or a test's filter drops it, and some arrive twice. {@link #runUntil} jumps
 * from one event (a datagram's arrival, a core's deadline, a scheduled fault) to the next, so ten
 * virtual seconds take milliseconds. Every chance, the cores' own included (tags, handshake keys,
 * node keys), comes from the seed, so the same seed gives the same run, byte for byte
 * ({@link #traceHash}). Plugins are called at once, on this thread.
 */
final class VirtualNet implements AutoCloseable {

    /** A datagram on its way, and when it arrives. */
    private record InFlight(long at, long order, InetSocketAddress from, InetSocketAddress to, byte[] bytes)
            implements Comparable<InFlight> {
        @Override
        public int compareTo(InFlight other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }

    /** Something a test scheduled for a virtual time: a fault, a heal, a message. */
    private record Action(long at, long order, Runnable action) implements Comparable<Action> {
        @Override
        public int compareTo(Action other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }

    private final long seed;
    private final SplittableRandom random;
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>();
    private final PriorityQueue<Action> actions = new PriorityQueue<>();
    /** Pairs of nodes that cannot reach each other now, both ways. */
    private final Set<Set<InetSocketAddress>> cut = new java.util.HashSet<>();
    private final MessageDigest trace;
    private final Map<InetSocketAddress, Node> nodes = new HashMap<>();
    private final List<Node> all = new ArrayList<>();
    private long now;
    private long order;
    private long latency = 5;
    private long jitter;
    private double loss;
    private double duplicates;
    /** Datagrams a test wants dropped: from, to, and the datagram; true drops it. */
    private BiPredicate<InetSocketAddress, byte[]> drop = (to, bytes) -> false;
    private long delivered;
    private long dropped;

    VirtualNet(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        try {
            this.trace = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
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
        actions.add(new Action(at, order++, action));
    }

    /**
     * A hash of every datagram sent so far (when, from where, to where, every byte) and of what
     * became of it: two runs from one seed give the same.
     */
    String traceHash() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) trace.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    /** Drops every datagram for which this says so (to, bytes), besides the loss. */
    VirtualNet drop(BiPredicate<InetSocketAddress, byte[]> filter) {
        this.drop = filter;
        return this;
    }

    long now() {
        return now;
    }

    long delivered() {
        return delivered;
    }

    long dropped() {
        return dropped;
    }

    /** A node at 10.0.0.n:7000 with these kcp settings (on top of the defaults). */
    Node node(int n, String... keyValues) {
        Map<String, String> settings = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        SecureRandom chance = seeded(n);
        if (!settings.containsKey("kcp.node-key")) {
            byte[] key = new byte[32];
            chance.nextBytes(key);
            settings.put("kcp.node-key", HexFormat.of().formatHex(key));
        }
        Node node = new Node(address(n), KcpSettings.from(settings), chance);
        nodes.put(node.address, node);
        all.add(node);
        node.core.start();
        return node;
    }

    /** Node n's source of chance: from the seed, and the same for the same seed. */
    private SecureRandom seeded(int n) {
        try {
            SecureRandom chance = SecureRandom.getInstance("SHA1PRNG");
            chance.setSeed(ByteBuffer.allocate(16).putLong(seed).putLong(n).array()); // before any use: it alone decides
            return chance;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress address(int n) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, (byte) (n >> 8), (byte) n}), 7000);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /**
     * Runs events in time order until the condition holds (checked after each), for at most
     * {@code maxMillis} of virtual time; false if it never held.
     */
    boolean runUntil(BooleanSupplier condition, long maxMillis) {
        long end = now + maxMillis;
        while (!condition.getAsBoolean()) {
            long next = nextEvent();
            if (next == Long.MAX_VALUE || next > end) {
                now = Math.max(now, Math.min(end, next == Long.MAX_VALUE ? end : next));
                return condition.getAsBoolean();
            }
            step(next);
        }
        return true;
    }

    /** Runs every event up to {@code now + millis}, then leaves the clock there. */
    void runFor(long millis) {
        long end = now + millis;
        long next;
        while ((next = nextEvent()) <= end) {
            step(next);
        }
        now = end;
    }

    /**
     * Closes every running node as {@code Network#close} does (sessions end with notice, what
     * waits is dropped), then lets the notices arrive: a core keeps no buffer past this.
     */
    @Override
    public void close() {
        for (Node node : all) {
            if (!node.stopped) {
                node.core.closeAll();
            }
        }
        runFor(1_000);
        for (Node node : all) {
            node.stopped = true;
        }
    }

    private long nextEvent() {
        long next = inFlight.isEmpty() ? Long.MAX_VALUE : inFlight.peek().at;
        if (!actions.isEmpty()) {
            next = Math.min(next, actions.peek().at);
        }
        for (Node node : all) {
            if (!node.stopped) {
                next = Math.min(next, node.core.timers().nextDeadline());
            }
        }
        return next;
    }

    private void step(long at) {
        now = Math.max(now, at);
        // What the test scheduled for now, datagrams due now (each node's batch together), then each node's timers.
        while (!actions.isEmpty() && actions.peek().at <= now) {
            actions.poll().action.run();
        }
        // In the order the datagrams came: an order from identity hash codes would differ between runs of one seed.
        Set<Node> touched = new LinkedHashSet<>();
        while (!inFlight.isEmpty() && inFlight.peek().at <= now) {
            InFlight datagram = inFlight.poll();
            Node to = nodes.get(datagram.to);
            if (to == null || to.stopped || cut.contains(Set.of(datagram.from, datagram.to))) {
                dropped++;
                continue;
            }
            delivered++;
            ByteBuf buffer = Unpooled.wrappedBuffer(datagram.bytes);
            to.core.receive(datagram.from, buffer);
            buffer.release();
            touched.add(to);
        }
        for (Node node : touched) {
            node.core.readComplete();
        }
        for (Node node : all) {
            if (!node.stopped) {
                node.core.timers().runDue(now);
            }
        }
    }

    private void send(InetSocketAddress from, InetSocketAddress to, ByteBuf datagram) {
        try {
            byte[] bytes = new byte[datagram.readableBytes()];
            datagram.getBytes(datagram.readerIndex(), bytes);
            trace.update(ByteBuffer.allocate(8 + 6 + 6 + 4).putLong(now).put(from.getAddress().getAddress())
                    .putShort((short) from.getPort()).put(to.getAddress().getAddress()).putShort((short) to.getPort())
                    .putInt(bytes.length).array());
            trace.update(bytes);
            if ((loss > 0 && random.nextDouble() < loss) || drop.test(to, bytes)) {
                trace.update((byte) 0);
                dropped++;
                return;
            }
            int copies = duplicates > 0 && random.nextDouble() < duplicates ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                long delay = latency + (jitter > 0 ? random.nextLong(jitter + 1) : 0);
                trace.update(ByteBuffer.allocate(8).putLong(delay).array());
                inFlight.add(new InFlight(now + delay, order++, from, to, bytes));
            }
        } finally {
            datagram.release();
        }
    }

    /** One node: its core, its tables, a plugin that keeps what it hears, and the driver this network is for it. */
    final class Node implements Driver {
        final InetSocketAddress address;
        final KcpSettings settings;
        final Counters counters = new Counters();
        final PeerTable peers;
        final PluginDispatcher dispatcher;
        final SessionLayer core;
        final List<Message> received = new CopyOnWriteArrayList<>();
        boolean stopped;

        private final SecureRandom chance;

        Node(InetSocketAddress address, KcpSettings settings, SecureRandom chance) {
            this.address = address;
            this.chance = chance;
            this.settings = settings;
            this.peers = new PeerTable(settings);
            this.dispatcher = new PluginDispatcher(null, Runnable::run, null, settings.dispatchBytes());
            dispatcher.register(new Plugin() {
                @Override
                public void newMessage(Message message) {
                    received.add(message);
                }
            }, false);
            this.core = new SessionLayer(settings, counters, dispatcher, peers, this, "virtual");
        }

        NodeAddress nodeAddress() {
            return Peer.nodeAddress(address);
        }

        /** Adds a node to the route table (with its key pinned, if not null), as Network#add does. */
        void add(Node other, NodeKey pinned) {
            Peer peer = peers.add(other.address, pinned);
            if (peer != null && core.markDirty(peer)) {
                core.drainDirty();
            }
        }

        /** Sends a message to a node, as a targeted broadcast does; false if its queue refused it. */
        boolean send(Node to, String type, byte[] body) {
            ByteBuf frame = Frames.encode(UnpooledByteBufAllocator.DEFAULT,
                    KcpMessage.outgoing(nodeAddress(), type, body, settings.maxMessageBytes()));
            try {
                Peer peer = peers.enqueue(to.address, frame, false);
                if (peer == null) {
                    return false;
                }
                if (core.markDirty(peer)) {
                    core.drainDirty();
                }
                return true;
            } finally {
                frame.release();
            }
        }

        Snapshots.Network state() {
            return core.takeSnapshot();
        }

        /** The node falls silent: nothing reaches it, its timers stop (a crash, or a cut cable). */
        void stop() {
            stopped = true;
        }

        long count(String type) {
            return received.stream().filter(m -> m.type().equals(type)).count();
        }

        // ---- Driver

        @Override
        public long now() {
            return now;
        }

        @Override
        public long wallMillis(long at) {
            return 1_800_000_000_000L + at;
        }

        @Override
        public SecureRandom random() {
            return chance;
        }

        @Override
        public ByteBufAllocator alloc() {
            return UnpooledByteBufAllocator.DEFAULT;
        }

        @Override
        public boolean readsShareBuffers() {
            return false;
        }

        @Override
        public void write(InetSocketAddress remote, ByteBuf datagram) {
            VirtualNet.this.send(address, remote, datagram);
        }

        @Override
        public InetSocketAddress localAddress() {
            return address;
        }
    }
}
