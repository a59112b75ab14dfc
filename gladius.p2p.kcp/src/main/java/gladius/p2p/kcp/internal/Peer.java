package gladius.p2p.kcp.internal;

import gladius.p2p.NodeAddress;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.MessagePassingQueue;

/**
 * A remote node this network knows: in the route table, or with a session, or with messages
 * waiting for it. Callers on any thread put encoded frames into its bounded lock-free queue; only
 * the event loop takes them out and only the event loop touches the fields below the line.
 *
 * <p>A peer leaves the network's map only inside {@code ConcurrentHashMap.computeIfPresent} and
 * only when {@link #removable()}: callers also enqueue inside {@code compute}, so no frame is ever
 * put into a peer that has been forgotten.
 */
final class Peer {

    final InetSocketAddress remote;
    final NodeAddress address;
    /** Bounded at kcp.queue-capacity, but grown in chunks: an idle peer holds a small array, not the bound. */
    final MessagePassingQueue<ByteBuf> queue;
    /** Bytes of the frames in the queue, bounded by kcp.max-queued-bytes. */
    final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();
    /** Set while this peer waits in the session layer's dirty queue, so it is there once. */
    final AtomicBoolean flushScheduled = new AtomicBoolean();
    /** Changed only inside the network map's compute for this key. */
    volatile boolean inRouteTable;

    // ---- event loop only ----
    Session session;
    long nextDialAt;
    long redialDelay;
    long messagesSent;
    long messagesReceived;
    long retransmissionsOfClosedSessions;
    long lastSeenWallMillis;

    Peer(InetSocketAddress remote, int queueCapacity) {
        this.remote = remote;
        this.address = new NodeAddress(remote.getAddress().getHostAddress(), remote.getPort());
        this.queue = Queues.bounded(Math.min(16, queueCapacity / 2), queueCapacity);
    }

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

    /** Takes the next frame; event loop only. */
    ByteBuf poll() {
        ByteBuf frame = queue.poll();
        if (frame != null) {
            queuedBytes.addAndGet(-frame.readableBytes());
        }
        return frame;
    }

    boolean removable() {
        return !inRouteTable && session == null && queue.isEmpty();
    }

    /** Releases every waiting frame; returns how many there were. Event loop only. */
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

    @Override
    public String toString() {
        return address.toString();
    }
}
