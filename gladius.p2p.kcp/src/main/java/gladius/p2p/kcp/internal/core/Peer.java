package gladius.p2p.kcp.internal.core;

import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.kcp.internal.dispatch.Queues;
import gladius.p2p.kcp.internal.observe.Addresses;
import gladius.p2p.kcp.internal.observe.Snapshots;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jctools.queues.MessagePassingQueue;

/**
 * A remote node this network knows: in the route table, or with a session, or with messages
 * waiting for it. Owns its send queue, its per-peer counts and when to dial it next. Callers on
 * any thread put encoded frames into its bounded lock-free queue; only the event loop takes them
 * out and only the event loop touches the fields below the line.
 *
 * <p>A peer leaves the {@link PeerTable} only inside {@code ConcurrentHashMap.computeIfPresent}
 * and only when {@link #removable()}: callers also enqueue inside {@code compute}, so no frame is
 * ever put into a peer that has been forgotten.
 *
 * <h2>Redial</h2>
 * One back-off for every way a dial can end: the delay starts at {@code kcp.redial-min}, doubles
 * after each dial that got no answer (at least {@code floor}: ten times the minimum after a
 * refusal, since asking again at once would be refused again), is capped at
 * {@code kcp.redial-max}, and goes back to zero when a session is established. A session that
 * ends after an answer waits the current delay (the minimum if none) before the next dial.
 *
 * <h2>Relayed dials</h2>
 * A dial goes straight to the peer's address first. After a direct dial that got no answer the
 * next goes through the relays this node has sessions with (if any), after one of those the next
 * goes direct again, and so on; a session, once established, starts the next round direct.
 */
public final class Peer {

    public final InetSocketAddress remote;
    public final NodeAddress address;
    private final long redialMinMillis;
    private final long redialMaxMillis;
    /** Bounded at kcp.queue-capacity, but grown in chunks: an idle peer holds a small array, not the bound. */
    private final MessagePassingQueue<ByteBuf> queue;
    /** Bytes of the frames in the queue, bounded by kcp.max-queued-bytes. */
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Set while this peer waits in the session layer's dirty queue, so it is there once. */
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    /** Changed only inside the peer table's compute for this key. */
    private volatile boolean inRouteTable;
    /** The key a session at this address must prove (Network#add(Contact)); null if none was pinned. */
    private volatile NodeKey pinnedKey;

    // ---- event loop only ----
    private Session session;
    private long nextDialAt;
    private long redialDelay;
    private boolean relayNext;
    private volatile boolean mismatchLogged;
    private boolean refusalLogged;
    private long messagesSent;
    private long messagesReceived;
    private long retransmissionsOfClosedSessions;
    private long lastSeenWallMillis;

    Peer(InetSocketAddress remote, int queueCapacity, Duration redialMin, Duration redialMax) {
        this.remote = remote;
        this.address = Addresses.nodeAddress(remote);
        this.queue = Queues.bounded(Math.min(16, queueCapacity / 2), queueCapacity);
        this.redialMinMillis = redialMin.toMillis();
        this.redialMaxMillis = redialMax.toMillis();
    }

    // ---------------------------------------------------------------- any thread

    /** Queues a frame if both bounds allow it: kcp.queue-capacity messages and kcp.max-queued-bytes. */
    boolean offer(ByteBuf frame, long maxQueuedBytes) {
        int size = frame.readableBytes();
        if (queuedBytes.addAndGet(size) > maxQueuedBytes) {
            queuedBytes.addAndGet(-size);
            return false;
        }
        if (!queue.offer(frame)) {
            queuedBytes.addAndGet(-size);
            return false;
        }
        return true;
    }

    /**
     * Whether a frame of this many bytes would be refused now (either bound reached): a sender
     * that asks first neither encodes nor wakes anyone for a message that cannot be queued. Only
     * a hint while others send or the loop drains; {@link #offer} decides.
     */
    boolean full(int frameBytes, long maxQueuedBytes) {
        return queuedBytes.get() + frameBytes > maxQueuedBytes || queue.size() >= queue.capacity();
    }

    public boolean inRouteTable() {
        return inRouteTable;
    }

    /** Only inside the peer table's compute for this peer's key. */
    void inRouteTable(boolean in) {
        inRouteTable = in;
    }

    /** The key a session with this peer must prove, or null if none was pinned. */
    NodeKey pinnedKey() {
        return pinnedKey;
    }

    /** Only inside the peer table's compute for this peer's key. */
    void pin(NodeKey key) {
        pinnedKey = key;
        mismatchLogged = false;
    }

    /** True the first time the peer refuses a session since the last one was established: that is logged, the rest counted. */
    boolean firstRefusal() {
        if (refusalLogged) {
            return false;
        }
        refusalLogged = true;
        return true;
    }

    /** True the first time a session here proves another key than the pinned one: that is logged, the rest counted. */
    boolean firstMismatch() {
        if (mismatchLogged) {
            return false;
        }
        mismatchLogged = true;
        return true;
    }

    /** True if the caller is the one to put this peer in the session layer's dirty queue. */
    boolean scheduleFlush() {
        return flushScheduled.compareAndSet(false, true);
    }

    /** The event loop took this peer out of the dirty queue. */
    void flushTaken() {
        flushScheduled.set(false);
    }

    // ---------------------------------------------------------------- event loop

    /** Takes the next frame. */
    ByteBuf poll() {
        ByteBuf frame = queue.poll();
        if (frame != null) {
            queuedBytes.addAndGet(-frame.readableBytes());
        }
        return frame;
    }

    boolean hasQueued() {
        return !queue.isEmpty();
    }

    boolean removable() {
        return !inRouteTable && session == null && queue.isEmpty();
    }

    /** Releases every waiting frame; returns how many there were (event loop, or after it stopped). */
    int dropQueued() {
        int dropped = 0;
        ByteBuf frame;
        while ((frame = queue.poll()) != null) {
            queuedBytes.addAndGet(-frame.readableBytes());
            frame.release();
            dropped++;
        }
        return dropped;
    }

    /** The peer's current session, established or not; null if none. */
    Session session() {
        return session;
    }

    void attach(Session opened) {
        session = opened;
    }

    /** Forgets a session that closed, unless a newer one has taken its place. */
    void detach(Session closed) {
        if (session == closed) {
            session = null;
        }
        retransmissionsOfClosedSessions += closed.retransmissions();
    }

    void sent() {
        messagesSent++;
    }

    void received() {
        messagesReceived++;
    }

    void seen(long wallMillis) {
        lastSeenWallMillis = wallMillis;
    }

    // ---------------------------------------------------------------- redial

    boolean dialDue(long now) {
        return now >= nextDialAt;
    }

    /** A session was established: the next failure starts the back-off again from the minimum. */
    void connected() {
        redialDelay = 0;
        relayNext = false;
        refusalLogged = false;
    }

    /** Whether the next dial should go through relays (the last, direct, one got no answer). */
    boolean relayNext() {
        return relayNext;
    }

    /** A session ended after an answer: dial again after the current delay. */
    void redialLater(long now) {
        nextDialAt = now + (redialDelay == 0 ? redialMinMillis : redialDelay);
    }

    /**
     * A dial got no answer ({@code refused} false) or a refusal: wait longer before the next,
     * which goes through relays if this one, {@code relayed} false, went direct.
     */
    void dialFailed(long now, boolean refused, boolean relayed) {
        relayNext = !relayed;
        long floor = refused ? 10 * redialMinMillis : redialMinMillis;
        redialDelay = Math.min(Math.max(2 * redialDelay, floor), redialMaxMillis);
        nextDialAt = now + redialDelay;
    }

    /** The peer answered that it has no such session, so it is alive: dial at once. */
    void redialNow(long now) {
        nextDialAt = now;
    }

    /** This peer's part of {@link gladius.p2p.Network#networkState()}. */
    Snapshots.Peer snapshot() {
        Session current = session;
        boolean connected = current != null && current.established();
        Peer relay = connected ? current.link().relay() : null;
        return new Snapshots.Peer(address, inRouteTable, inRouteTable, connected,
                current != null && current.inbound(), relay == null ? null : relay.address,
                Duration.ofMillis(connected ? current.smoothedRttMillis() : 0),
                messagesSent, messagesReceived,
                retransmissionsOfClosedSessions + (current == null ? 0 : current.retransmissions()),
                queue.size(),
                Instant.ofEpochMilli(lastSeenWallMillis),
                connected ? current.remoteStatic() : null, pinnedKey, connected ? current.peerRecord() : null,
                connected ? current.cipher() : null);
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
