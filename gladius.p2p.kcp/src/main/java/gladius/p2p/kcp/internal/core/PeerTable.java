package gladius.p2p.kcp.internal.core;

import gladius.p2p.NodeKey;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peers of one network by remote address: the route table (peers with
 * {@link Peer#inRouteTable()}) and every other peer with a session or queued messages. Safe from
 * any thread: each change to one peer runs inside the map's {@code compute} for its key, so a
 * caller enqueuing and the event loop forgetting the same peer never interleave.
 */
public final class PeerTable {

    private final KcpSettings settings;
    private final ConcurrentHashMap<InetSocketAddress, Peer> peers = new ConcurrentHashMap<>();

    public PeerTable(KcpSettings settings) {
        this.settings = settings;
    }

    /** Every peer now (a live view). */
    public Collection<Peer> all() {
        return peers.values();
    }

    /** The route-table peers now, in a new list. */
    public List<Peer> routeTable() {
        List<Peer> table = new ArrayList<>();
        for (Peer peer : peers.values()) {
            if (peer.inRouteTable()) {
                table.add(peer);
            }
        }
        return table;
    }

    /** The peer for a remote address, created if new (an inbound session). */
    Peer peerFor(InetSocketAddress remote) {
        return peers.computeIfAbsent(remote, this::newPeer);
    }

    /**
     * Puts the peer in the route table, creating it if new, and pins {@code pinned} as its key if
     * that is not null; returns it if it was not in the table before, else null.
     */
    public Peer add(InetSocketAddress remote, NodeKey pinned) {
        boolean[] added = new boolean[1];
        Peer peer = peers.compute(remote, (key, current) -> {
            Peer target = current != null ? current : newPeer(key);
            added[0] = !target.inRouteTable();
            target.inRouteTable(true);
            if (pinned != null) {
                target.pin(pinned);
            }
            return target;
        });
        return added[0] ? peer : null;
    }

    /** The peer at this address, if there is one now. */
    public Peer get(InetSocketAddress remote) {
        return peers.get(remote);
    }

    /** Takes the peer out of the route table; returns it if it was there, else null. */
    public Peer delete(InetSocketAddress remote) {
        boolean[] deleted = new boolean[1];
        Peer peer = peers.computeIfPresent(remote, (key, current) -> {
            deleted[0] = current.inRouteTable();
            current.inRouteTable(false);
            return current;
        });
        return deleted[0] ? peer : null;
    }

    /**
     * Puts a retained view of the frame into a peer's queue, creating the peer for a targeted send
     * ({@code routeTableOnly} false). Returns the peer if the frame was queued, null if the peer
     * is not one to send to or its queue is full.
     */
    public Peer enqueue(InetSocketAddress remote, ByteBuf frame, boolean routeTableOnly) {
        boolean[] queued = new boolean[1];
        Peer peer = peers.compute(remote, (key, current) -> {
            Peer target = current;
            if (target == null) {
                if (routeTableOnly) {
                    return null;
                }
                target = newPeer(key);
            }
            if (!routeTableOnly || target.inRouteTable()) {
                ByteBuf view = frame.retainedDuplicate();
                queued[0] = target.offer(view, settings.maxQueuedBytes());
                if (!queued[0]) {
                    view.release();
                }
            }
            return target;
        });
        return queued[0] ? peer : null;
    }

    /** Whether the peer at this address (if there is one yet) would refuse a frame of this many bytes now. */
    public boolean refuses(InetSocketAddress remote, int frameBytes) {
        Peer peer = peers.get(remote);
        return peer != null && peer.full(frameBytes, settings.maxQueuedBytes());
    }

    /** Forgets a peer that has no route-table entry, no session and nothing queued. */
    public void forgetIfUnused(Peer peer) {
        peers.computeIfPresent(peer.remote, (key, current) -> current == peer && peer.removable() ? null : current);
    }

    /** Frees every queued frame and forgets every peer; returns how many frames there were. */
    public long clear() {
        long dropped = 0;
        for (Peer peer : peers.values()) {
            dropped += peer.dropQueued();
        }
        peers.clear();
        return dropped;
    }

    private Peer newPeer(InetSocketAddress remote) {
        return new Peer(remote, settings.queueCapacity(), settings.redialMin(), settings.redialMax());
    }
}
