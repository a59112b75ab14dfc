package gladius.p2p.kcp.internal;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.kcp.internal.core.Driver;
import gladius.p2p.kcp.internal.core.KcpSettings;
import gladius.p2p.kcp.internal.core.NodeRecords;
import gladius.p2p.kcp.internal.core.Peer;
import gladius.p2p.kcp.internal.core.PeerTable;
import gladius.p2p.kcp.internal.core.SessionLayer;
import gladius.p2p.kcp.internal.dispatch.PluginDispatcher;
import gladius.p2p.kcp.internal.host.Host;
import gladius.p2p.kcp.internal.host.Hosting;
import gladius.p2p.kcp.internal.host.NettyDriver;
import gladius.p2p.kcp.internal.observe.Addresses;
import gladius.p2p.kcp.internal.observe.Counters;
import gladius.p2p.kcp.internal.observe.Snapshots;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * Whole networks ({@link KcpNetwork}, plugins and all) on one virtual clock, with no socket and no
 * thread of their own: the engine of the simulator module {@code gladius.p2p.sim}, the only module
 * this package is exported to. Every node's protocol core ({@link SessionLayer}) is driven here as
 * {@link NettyDriver} drives it on a socket (a call in, what it wrote out, its next deadline
 * waited for), its plugins' callbacks and scheduled tasks run as events at the virtual time they
 * are due, its {@link Network#clock()} reads the virtual clock and its {@link Network#random()}
 * comes from the seed. {@link #runUntil} jumps from one event to the next, in time order (ties in
 * the order they were made), so a simulated minute of an idle network takes no real minute.
 *
 * <p>Everything runs on the thread that calls this class; nothing here is thread-safe. A call on
 * a simulated network that waits on sockets for its plugins (listen for their startups, close for
 * their closes) runs what is due at this virtual instant until they are done; anything else it
 * starts (a send, a dial) happens when the simulation runs. Deterministic: every chance comes from the seed (the cores' tags and
 * handshake keys, the node keys it makes, the plugins' choices through {@link Network#random()}),
 * so the same seed and the same calls give the same datagrams, byte for byte ({@link #traceHash()}).
 * Whatever a plugin draws from a {@link SecureRandom} of its own (a key it makes when none is set)
 * is outside the seed: give such keys in the settings.
 *
 * <p>Where datagrams go is the caller's {@link Links}: the delay of each one, or its loss.
 */
public final class VirtualNetworks implements AutoCloseable {

    /** How datagrams fare: the simulated network between the nodes. */
    @FunctionalInterface
    public interface Links {
        /**
         * Called once for each datagram sent, in the order they are sent.
         *
         * @param datagram the datagram's bytes, to read and not to keep or change
         * @return milliseconds until it arrives at {@code to} (zero or more), or a negative number if it is lost
         */
        long delay(InetSocketAddress from, InetSocketAddress to, byte[] datagram);

        /**
         * Called after {@link #delay} for the same datagram: the delay of a second copy of it
         * (a network that duplicates), or a negative number for none, as by default.
         */
        default long duplicate(InetSocketAddress from, InetSocketAddress to, byte[] datagram) {
            return -1;
        }

        /**
         * The source address {@code to} sees on a datagram from {@code from}: a NAT's mapping,
         * made or kept by this very datagram. Called once per datagram, before {@link #delay};
         * {@code from} itself by default.
         */
        default InetSocketAddress sourceSeen(InetSocketAddress from, InetSocketAddress to) {
            return from;
        }

        /**
         * Where a datagram from {@code from} that arrives at {@code to} goes: {@code to} itself
         * by default; for a NAT's public address, the node behind it, or null if the NAT's
         * filter drops it. Called when it arrives.
         */
        default InetSocketAddress destination(InetSocketAddress to, InetSocketAddress from) {
            return to;
        }
    }

    /** Something due at a virtual time: ties run in the order they were made. */
    private abstract static class Event implements Comparable<Event> {
        final long at;
        final long order;

        Event(long at, long order) {
            this.at = at;
            this.order = order;
        }

        abstract void fire();

        @Override
        public final int compareTo(Event other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }

    /**
     * Where the simulated cores' buffers come from: unpooled, and direct ones freed by the JDK's
     * cleaner too, so that a simulation dropped without {@link #close()} gives its memory back
     * with the garbage collector (Netty's default allocator would keep it for good).
     */
    private static final ByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(false, false, false);

    private final long seed;
    private final long epochMillis;
    private final Links links;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Map<InetSocketAddress, Node> bound = new HashMap<>();
    /** Every network made here, for close. */
    private final List<Network> made = new ArrayList<>();
    private final MessageDigest trace;
    private final InstantSource clock = new InstantSource() {
        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(epochMillis + now);
        }

        @Override
        public long millis() {
            return epochMillis + now;
        }
    };
    private long now;
    private long order;
    private int created;
    private long sent;
    private long lost;
    private long undeliverable;
    /** Reads after which a core still held part of the read's buffer (Node#read). */
    private long readBuffersKept;

    /**
     * @param seed every chance of the run comes from it
     * @param epochMillis the wall-clock time that virtual time zero stands for (milliseconds since the epoch)
     * @param links the simulated network
     */
    public VirtualNetworks(long seed, long epochMillis, Links links) {
        this.seed = seed;
        this.epochMillis = epochMillis;
        this.links = Objects.requireNonNull(links, "links");
        try {
            this.trace = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /**
     * A new network of the transport "kcp" in this simulation, not yet listening, with these
     * settings ({@code kcp.*} as on sockets; {@code kcp.jmx} is off unless set). It listens at an
     * address as a network on sockets does (an IP literal; port 0 takes the next free port of that
     * address from 20000); an address may be bound again once its network closed or crashed (a
     * restart). Without {@code kcp.node-key} its key comes from the seed.
     *
     * @throws IllegalArgumentException naming a setting that is unknown or does not parse
     */
    public Network network(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        int index = created++;
        SecureRandom chance = seeded(index);
        if (!all.containsKey("kcp.node-key")) {
            byte[] key = new byte[32];
            chance.nextBytes(key);
            all.put("kcp.node-key", HexFormat.of().formatHex(key));
        }
        all.putIfAbsent("kcp.jmx", "false");
        KcpSettings kcp = KcpSettings.from(all);
        NodeHosting hosting = new NodeHosting(chance, new SplittableRandom(seed ^ mix(index)));
        KcpNetwork network = new KcpNetwork(Map.copyOf(settings), kcp, hosting);
        made.add(network);
        return network;
    }

    /**
     * Closes every network made here that has not crashed, as {@link Network#close()} does
     * (plugins closed, sessions ended with notice, buffers released), at this virtual instant.
     * A crashed node released its buffers when it crashed. Idempotent.
     */
    @Override
    public void close() {
        for (Network network : made) {
            network.close(); // a crashed one returns at once: its Host never runs again
        }
        made.clear();
    }

    /** Milliseconds of virtual time since the simulation began. */
    public long now() {
        return now;
    }

    /** The simulation's clock: {@code epochMillis} plus {@link #now()}. */
    public InstantSource clock() {
        return clock;
    }

    /** Runs {@code action} when the virtual clock reaches {@code at} (now, if that is past). */
    public void at(long at, Runnable action) {
        Objects.requireNonNull(action, "action");
        events.add(new Event(Math.max(at, now), order++) {
            @Override
            void fire() {
                action.run();
            }
        });
    }

    /** Runs every event due up to {@code until} (virtual milliseconds), then leaves the clock there. */
    public void runUntil(long until) {
        Event next;
        while ((next = events.peek()) != null && next.at <= until) {
            events.poll();
            now = Math.max(now, next.at);
            next.fire();
        }
        now = Math.max(now, until);
    }

    /**
     * Runs events in time order until the condition holds (checked whenever the clock moves on),
     * at most until {@code until}; false if it never held.
     */
    public boolean runUntil(BooleanSupplier condition, long until) {
        Event next;
        while (!condition.getAsBoolean()) {
            long at = (next = events.peek()) == null ? Long.MAX_VALUE : next.at;
            if (at > until) {
                now = Math.max(now, until);
                return condition.getAsBoolean();
            }
            while ((next = events.peek()) != null && next.at == at) {
                events.poll();
                now = Math.max(now, next.at);
                next.fire();
            }
        }
        return true;
    }

    /**
     * The node listening at this address stops as a process that crashes does: no notice to its
     * peers, nothing of it runs again (its timers, its plugins' tasks), datagrams to it are lost.
     * Its {@link Network} object stays behind, dead; the address may listen again. False if no
     * node listens there.
     */
    public boolean crash(NodeAddress address) {
        Node node = bound.get(new InetSocketAddress(address.host(), address.port()));
        if (node == null) {
            return false;
        }
        node.stop();
        return true;
    }

    /** Datagrams sent so far, by every node. */
    public long datagramsSent() {
        return sent;
    }

    /** Datagrams the links lost, or that found no node listening at their address. */
    public long datagramsLost() {
        return lost + undeliverable;
    }

    /**
     * Reads after which a core still held part of the read's buffer (slices KCP kept of data it
     * could not deliver yet, that nothing copied): 0 unless the core has a bug.
     */
    public long readBuffersKept() {
        return readBuffersKept;
    }

    /** Events waiting (datagrams on their way, timers, plugin work): a measure of the simulation's own load. */
    public int pendingEvents() {
        return events.size();
    }

    /**
     * A hash of every datagram sent so far (when, from where, to where, every byte) and of what
     * became of it: two runs from one seed give the same.
     */
    public String traceHash() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) trace.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- inside

    /**
     * Runs the events due at this very instant until the condition holds or none is left: a call
     * that waits for plugin work (a startup, a close) sees it done, as on sockets, and the clock
     * does not move.
     */
    private void runDueNow(BooleanSupplier condition) {
        Event next;
        while (!condition.getAsBoolean() && (next = events.peek()) != null && next.at <= now) {
            events.poll();
            next.fire();
        }
    }

    private void schedule(Event event) {
        events.add(event);
    }

    private SecureRandom seeded(int index) {
        try {
            SecureRandom chance = SecureRandom.getInstance("SHA1PRNG");
            chance.setSeed(ByteBuffer.allocate(16).putLong(seed).putLong(index).array()); // before any use: it alone decides
            return chance;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA1PRNG is missing from this JDK", e);
        }
    }

    /** SplitMix64's finalizer: spreads node numbers over the seed's bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private void send(InetSocketAddress from, InetSocketAddress to, ByteBuf datagram) {
        InetSocketAddress source = from;
        try {
            byte[] bytes = new byte[datagram.readableBytes()];
            datagram.getBytes(datagram.readerIndex(), bytes);
            sent++;
            source = links.sourceSeen(source, to);
            long delay = links.delay(source, to, bytes);
            long again = links.duplicate(source, to, bytes);
            trace.update(ByteBuffer.allocate(8 + 16 + 2 + 16 + 2 + 4 + 8 + 8).putLong(now)
                    .put(ipv6(source)).putShort((short) source.getPort()).put(ipv6(to)).putShort((short) to.getPort())
                    .putInt(bytes.length).putLong(delay).putLong(again).array());
            trace.update(bytes);
            if (delay < 0) {
                lost++;
            } else {
                schedule(new Arrival(now + delay, order++, source, to, bytes));
            }
            if (again >= 0) {
                schedule(new Arrival(now + again, order++, source, to, bytes));
            }
        } finally {
            datagram.release();
        }
    }

    private static byte[] ipv6(InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        byte[] padded = new byte[16];
        System.arraycopy(ip, 0, padded, 16 - ip.length, ip.length);
        return padded;
    }

    /** A datagram arriving: it and every other one due for that node at the same time are one read batch. */
    private final class Arrival extends Event {
        final InetSocketAddress from;
        final InetSocketAddress to;
        final byte[] bytes;

        Arrival(long at, long order, InetSocketAddress from, InetSocketAddress to, byte[] bytes) {
            super(at, order);
            this.from = from;
            this.to = to;
            this.bytes = bytes;
        }

        @Override
        void fire() {
            Node node = nodeFor(this);
            if (node == null) {
                return;
            }
            node.read(this);
            Event next;
            while ((next = events.peek()) instanceof Arrival more && more.at == at && more.to.equals(to)) {
                events.poll();
                Node other = nodeFor(more);
                if (other == node) {
                    node.read(more);
                } else if (other != null) { // another node behind the same public address and port: its own batch
                    other.read(more);
                    other.inCore(other.core::readComplete);
                }
            }
            node.inCore(node.core::readComplete);
        }

        /** The node this arrival is for, through a NAT if the links have one; null (counted) if none takes it. */
        private Node nodeFor(Arrival arrival) {
            InetSocketAddress target = links.destination(arrival.to, arrival.from);
            Node node = target == null ? null : bound.get(target);
            if (node == null) {
                undeliverable++;
            }
            return node;
        }
    }

    /** One network's place in the simulation: its threads, its clock, its chance. */
    private final class NodeHosting implements Hosting {
        private final SecureRandom chance;
        private final SplittableRandom random;
        /** Set on bind; what plugin work is for, so that it stops with a crash. */
        private Node node;

        NodeHosting(SecureRandom chance, SplittableRandom random) {
            this.chance = chance;
            this.random = random;
        }

        @Override
        public Executor pluginExecutor() {
            return task -> later(now, task);
        }

        @Override
        public PluginDispatcher.Timer pluginTimer() {
            return (task, delayNanos) -> {
                FutureTask<Void> pending = new FutureTask<>(task, null);
                long millis = delayNanos / 1_000_000 + (delayNanos % 1_000_000 == 0 ? 0 : 1); // not earlier than asked
                later(now + Math.min(millis, Long.MAX_VALUE / 2), pending);
                return pending;
            };
        }

        private void later(long at, Runnable task) {
            schedule(new Event(at, order++) {
                @Override
                void fire() {
                    if (node == null || !node.crashed) {
                        task.run();
                    }
                }
            });
        }

        @Override
        public Host bind(InetSocketAddress address, KcpSettings settings, Counters counters, PluginDispatcher dispatcher,
                         PeerTable peers) {
            if (address.getAddress().isAnyLocalAddress()) {
                throw new IllegalArgumentException("a simulated node listens at one address, not the wildcard " + address);
            }
            InetSocketAddress at = address.getPort() != 0 ? address : freePort(address);
            if (bound.containsKey(at)) {
                throw new IllegalStateException("cannot bind " + Addresses.nodeAddress(at) + ": the address is in use");
            }
            node = new Node(at, settings, counters, dispatcher, peers, chance);
            bound.put(at, node);
            node.inCore(node.core::start);
            return node;
        }

        private InetSocketAddress freePort(InetSocketAddress address) {
            for (int port = 20_000; port < 65_536; port++) {
                InetSocketAddress candidate = new InetSocketAddress(address.getAddress(), port);
                if (!bound.containsKey(candidate)) {
                    return candidate;
                }
            }
            throw new IllegalStateException("cannot bind " + address + ": no port free");
        }

        @Override
        public InstantSource clock() {
            return clock;
        }

        @Override
        public RandomGenerator random() {
            return random;
        }

        @Override
        public PluginDispatcher.Waiter waiter() {
            return (done, timeout, unit) -> {
                if (node != null && node.crashed) {
                    return true; // a crashed node's plugins never run again: nothing to wait for
                }
                runDueNow(() -> done.getCount() == 0);
                return done.getCount() == 0;
            };
        }

        @Override
        public void release() {
            // Nothing held: the simulation's queue forgets a closed node's events as they come.
        }
    }

    /** One node's core, driven in virtual time: the network's Host, and the core's Driver. */
    private final class Node implements Host {
        final InetSocketAddress address;
        final SessionLayer core;
        private final SecureRandom chance;
        private boolean wakeScheduled;
        /** The deadline a timer event is queued for; later ones wait behind it. */
        private long timerAt = Long.MAX_VALUE;
        /** Closed or crashed: nothing of it runs again. */
        private boolean stopped;
        /** Crashed: not even its plugins' work runs, and it sends nothing. */
        boolean crashed;

        Node(InetSocketAddress address, KcpSettings settings, Counters counters, PluginDispatcher dispatcher,
             PeerTable peers, SecureRandom chance) {
            this.address = address;
            this.chance = chance;
            this.core = new SessionLayer(settings, counters, dispatcher, peers, new CoreDriver(), "virtual");
        }

        /**
         * One datagram read: the core must hold no part of its buffer once the read returns, or on
         * a socket it would hold the whole batch's buffer it shares (recvmmsg, or a GRO run). One
         * it still holds is counted ({@link #readBuffersKept()}).
         */
        void read(Arrival arrival) {
            ByteBuf buffer = Unpooled.wrappedBuffer(arrival.bytes);
            try {
                core.receive(arrival.from, buffer);
            } finally {
                if (buffer.refCnt() > 1) {
                    readBuffersKept++;
                }
                buffer.release();
            }
        }

        /** One call into the core, and what follows every one: a timer event for its next deadline. */
        void inCore(Runnable call) {
            if (stopped) {
                return;
            }
            call.run();
            long next = core.timers().nextDeadline();
            if (!stopped && next < timerAt) {
                timerAt = next;
                schedule(new Event(next, order++) {
                    @Override
                    void fire() {
                        if (timerAt != at) {
                            return; // an earlier deadline took over, or the node stopped
                        }
                        timerAt = Long.MAX_VALUE;
                        inCore(() -> core.timers().runDue(now));
                    }
                });
            }
        }

        private void soon(Runnable call) {
            schedule(new Event(now, order++) {
                @Override
                void fire() {
                    inCore(call);
                }
            });
        }

        /**
         * A crash: nothing of the node runs or sends again. Its sessions' buffers are released as
         * a dead process's memory would be (what they would send is dropped: it is crashed).
         */
        void stop() {
            crashed = true;
            core.closeAll();
            unbind();
        }

        private void unbind() {
            stopped = true;
            timerAt = Long.MIN_VALUE;
            bound.remove(address, this);
        }

        // ---- Host

        @Override
        public InetSocketAddress localSocket() {
            return address;
        }

        @Override
        public NodeAddress localAddress() {
            return core.localAddress();
        }

        @Override
        public NodeRecords.Signed record() {
            return core.record();
        }

        @Override
        public boolean markDirty(Peer peer) {
            return core.markDirty(peer);
        }

        @Override
        public void wake() {
            if (!wakeScheduled) {
                wakeScheduled = true;
                soon(() -> {
                    wakeScheduled = false;
                    core.drainDirty();
                });
            }
        }

        @Override
        public void deleted(Peer peer) {
            soon(() -> core.onDeleted(peer));
        }

        @Override
        public void pinned(Peer peer) {
            if (peer != null) {
                soon(() -> core.onPinned(peer));
            }
        }

        @Override
        public void roomAgain() {
            soon(core::resumePaused);
        }

        @Override
        public Snapshots.Network snapshot() {
            return core.takeSnapshot();
        }

        /** The non-blocking plugins' lane: at the current virtual instant, like the others, unless crashed. */
        @Override
        public Executor loop() {
            return task -> schedule(new Event(now, order++) {
                @Override
                void fire() {
                    if (!crashed) {
                        task.run();
                    }
                }
            });
        }

        @Override
        public Snapshots.Peer peerSnapshot(InetSocketAddress remote) {
            return core.peerSnapshot(remote);
        }

        /** Network#close: every session ends with notice, which leaves now; then the address is free. */
        @Override
        public void shutdown() {
            inCore(core::closeAll);
            unbind();
        }

        /** What the core asks of its driver: the virtual clock, the seed's chance, and the simulated links. */
        private final class CoreDriver implements Driver {
            @Override
            public long now() {
                return now;
            }

            @Override
            public long wallMillis(long at) {
                return epochMillis + at;
            }

            @Override
            public SecureRandom random() {
                return chance;
            }

            @Override
            public ByteBufAllocator alloc() {
                return ALLOCATOR;
            }

            @Override
            public void write(InetSocketAddress remote, ByteBuf datagram) {
                if (crashed) {
                    datagram.release();
                    return;
                }
                send(address, remote, datagram);
            }

            @Override
            public InetSocketAddress localAddress() {
                return address;
            }
        }
    }
}
