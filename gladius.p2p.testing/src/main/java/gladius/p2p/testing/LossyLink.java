package gladius.p2p.testing;

import gladius.p2p.NodeAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A lossy UDP link between two nodes, in process, with no root: each node talks to a stand-in
 * address of the other, and the link forwards what it receives there under {@link LinkConditions}
 * (drop, duplicate, reorder, delay, jitter), with seeded random choices.
 *
 * <pre>
 *   node A ──► standInForB ═══ lossy ═══► node B      (B sees A as standInForA)
 *   node A ◄══ lossy ═══ standInForA ◄─── node B      (A sees B as standInForB)
 * </pre>
 *
 * <p>Usage: start both nodes, open the link between their addresses, then have A send to
 * {@link #standInFor(NodeAddress) standInFor(b)} and B to {@code standInFor(a)}. Close the link
 * when done. At most {@value #MAX_IN_FLIGHT} datagrams are held at once; more are dropped and
 * counted, so a link never grows memory without bound.
 *
 * <p>Only the two nodes' datagrams cross the link: what a third party sends to a stand-in address
 * is dropped and counted in {@link #strangers()}, as a NAT that filters by address drops what
 * nobody behind it asked for. So a node behind a link is reachable only through the node at its
 * other end (relays are tested that way).
 *
 * <p>The link is also an attacker on the path: {@link #tap(BiConsumer)} sees every datagram it
 * receives, and {@link #inject(NodeAddress, byte[])} sends one to a node from the other node's
 * stand-in address, which is where that node expects the other's datagrams to come from.
 */
public final class LossyLink implements AutoCloseable {

    /** Datagrams held for delay at once, per link; more are dropped. */
    public static final int MAX_IN_FLIGHT = 100_000;

    private static final int MAX_DATAGRAM = 65_535;

    private final NodeAddress a;
    private final NodeAddress b;
    private final DatagramChannel standInForA;
    private final DatagramChannel standInForB;
    private final LinkConditions towardBConditions;
    private final LinkConditions towardAConditions;
    private final ScheduledExecutorService timer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong strangers = new AtomicLong();
    private final Thread pumpToA;
    private final Thread pumpToB;
    private static final BiConsumer<NodeAddress, byte[]> NO_TAP = (toward, datagram) -> { };
    private volatile BiConsumer<NodeAddress, byte[]> tap = NO_TAP;
    private volatile boolean closed;

    private LossyLink(NodeAddress a, NodeAddress b, LinkConditions towardB, LinkConditions towardA) throws IOException {
        this.a = a;
        this.b = b;
        this.towardBConditions = towardB;
        this.towardAConditions = towardA;
        this.standInForA = bind();
        this.standInForB = bind();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "lossy-link-timer"));
        // What A sends to B arrives at standInForB and leaves from standInForA, so B sees A there.
        this.pumpToB = daemon(() -> pump(a, b, standInForB, standInForA, towardB, new SplittableRandom(towardB.seed())),
                "lossy-link-to-" + b);
        this.pumpToA = daemon(() -> pump(b, a, standInForA, standInForB, towardA, new SplittableRandom(~towardA.seed())),
                "lossy-link-to-" + a);
        pumpToB.start();
        pumpToA.start();
    }

    /**
     * Opens a link between two listening nodes.
     *
     * @param a one node's bound address
     * @param b the other's
     * @param conditions what the link does to datagrams, the same in both directions
     * @return the open link
     */
    public static LossyLink between(NodeAddress a, NodeAddress b, LinkConditions conditions) {
        return between(a, b, conditions, conditions);
    }

    /**
     * Opens a link that treats each direction differently, such as loss on the way out only.
     *
     * @param a one node's bound address
     * @param b the other's
     * @param towardB what the link does to datagrams from A to B
     * @param towardA what the link does to datagrams from B to A
     * @return the open link
     */
    public static LossyLink between(NodeAddress a, NodeAddress b, LinkConditions towardB, LinkConditions towardA) {
        if (a.equals(b)) {
            throw new IllegalArgumentException("a link needs two different nodes: " + a);
        }
        try {
            return new LossyLink(a, b, towardB, towardA);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the link's sockets on 127.0.0.1", e);
        }
    }

    /**
     * The address through which the other node reaches this one, and from which this one's
     * datagrams reach the other: how the other node sees it.
     *
     * @param node one of the two nodes
     * @return its stand-in address on the link
     */
    public NodeAddress standInFor(NodeAddress node) {
        if (node.equals(a)) {
            return address(standInForA);
        }
        if (node.equals(b)) {
            return address(standInForB);
        }
        throw new IllegalArgumentException("node is not on this link: " + node);
    }

    /** @return datagrams delivered, duplicates included */
    public long forwarded() {
        return forwarded.get();
    }

    /** @return datagrams lost on purpose, or because too many were in flight */
    public long dropped() {
        return dropped.get();
    }

    /** @return datagrams that reached a stand-in address from neither node, dropped */
    public long strangers() {
        return strangers.get();
    }

    /** @return datagrams delivered twice */
    public long duplicated() {
        return duplicated.get();
    }

    /**
     * Shows every datagram the link receives, before it decides whether to drop it, to an observer
     * that runs on the link's own thread (keep it short, and do not throw: a tap that throws stops
     * that direction of the link). Replaces any earlier tap.
     *
     * @param tap called with the node the datagram is heading for and a copy of its bytes
     */
    public void tap(BiConsumer<NodeAddress, byte[]> tap) {
        this.tap = java.util.Objects.requireNonNull(tap, "tap");
    }

    /**
     * Sends a datagram to one node from the other node's stand-in address, as an attacker on the
     * path could, bypassing the link's conditions.
     *
     * @param toward the node to send to, one of the two
     * @param datagram the bytes
     */
    public void inject(NodeAddress toward, byte[] datagram) {
        DatagramChannel from;
        if (toward.equals(b)) {
            from = standInForA;
        } else if (toward.equals(a)) {
            from = standInForB;
        } else {
            throw new IllegalArgumentException("toward is not on this link: " + toward);
        }
        try {
            from.send(ByteBuffer.wrap(datagram.clone()), socket(toward));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inject toward " + toward, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        closeQuietly(standInForA);
        closeQuietly(standInForB);
        try {
            pumpToA.join(5_000);
            pumpToB.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pump(NodeAddress from, NodeAddress toward, DatagramChannel in, DatagramChannel out,
                      LinkConditions conditions, SplittableRandom random) {
        InetSocketAddress source = socket(from);
        InetSocketAddress target = socket(toward);
        ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
        while (!closed) {
            try {
                buffer.clear();
                SocketAddress sender = in.receive(buffer);
                if (sender == null) {
                    continue;
                }
                if (!sender.equals(source)) {
                    strangers.incrementAndGet();
                    continue;
                }
                buffer.flip();
                byte[] datagram = new byte[buffer.remaining()];
                buffer.get(datagram);
                BiConsumer<NodeAddress, byte[]> observer = tap;
                if (observer != NO_TAP) {
                    observer.accept(toward, datagram.clone());
                }
                if (random.nextDouble() < conditions.drop()) {
                    dropped.incrementAndGet();
                    continue;
                }
                int copies = random.nextDouble() < conditions.duplicate() ? 2 : 1;
                if (copies == 2) {
                    duplicated.incrementAndGet();
                }
                for (int i = 0; i < copies; i++) {
                    long delayNanos = conditions.delay().toNanos();
                    long jitter = conditions.jitter().toNanos();
                    if (jitter > 0) {
                        delayNanos += random.nextLong(jitter + 1);
                    }
                    if (random.nextDouble() < conditions.reorder()) {
                        delayNanos += conditions.reorderHold().toNanos();
                    }
                    deliver(out, target, datagram, delayNanos);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    dropped.incrementAndGet();
                }
            }
        }
    }

    private void deliver(DatagramChannel out, InetSocketAddress target, byte[] datagram, long delayNanos) {
        if (delayNanos == 0) {
            send(out, target, datagram);
            return;
        }
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        try {
            timer.schedule(() -> {
                inFlight.decrementAndGet();
                send(out, target, datagram);
            }, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet(); // closing
        }
    }

    private void send(DatagramChannel out, InetSocketAddress target, byte[] datagram) {
        try {
            out.send(ByteBuffer.wrap(datagram), target);
            forwarded.incrementAndGet();
        } catch (IOException e) {
            if (!closed) {
                dropped.incrementAndGet();
            }
        }
    }

    private static DatagramChannel bind() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4 << 20);
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        return channel;
    }

    private static InetSocketAddress socket(NodeAddress node) {
        String host = node.host().equals("0.0.0.0") || node.host().equals("::") ? "127.0.0.1" : node.host();
        return new InetSocketAddress(host, node.port());
    }

    private static NodeAddress address(DatagramChannel channel) {
        try {
            InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
            return new NodeAddress(local.getAddress().getHostAddress(), local.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(DatagramChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
