package gladius.p2p.kcp.internal.host;

import gladius.p2p.NodeAddress;
import gladius.p2p.kcp.internal.core.NodeRecords;
import gladius.p2p.kcp.internal.core.Peer;
import gladius.p2p.kcp.internal.observe.Snapshots;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * What {@code KcpNetwork} holds of the driver that runs its protocol core once it listens: the
 * calls a caller's thread makes into the core, each handed to the core's one thread.
 * {@link NettyDriver} hops onto its event loop; a simulation ({@code VirtualNetworks}) queues the
 * call at the current virtual time.
 */
public interface Host {

    /** The bound socket address. */
    InetSocketAddress localSocket();

    /** The bound address, as {@link gladius.p2p.Network#localAddress()} gives it. */
    NodeAddress localAddress();

    /** This node's record as any thread may read it; null in plain mode. */
    NodeRecords.Signed record();

    /**
     * Marks a peer as having frames to send or a dial to make; true if it was idle, and then the
     * caller must {@link #wake()} the core (if it was pending already, whoever marked it does).
     */
    boolean markDirty(Peer peer);

    /** Has the core service the dirty peers; one call however many callers wake it. */
    void wake();

    /** A peer was deleted from the route table: close its session with notice, drop what waits. */
    void deleted(Peer peer);

    /** A key was pinned for this peer: a session that proved another one ends (and the peer is redialed). */
    void pinned(Peer peer);

    /** The plugins made room: read on where the paused sessions stopped. */
    void roomAgain();

    /** The network's state, read on the core's thread. */
    Snapshots.Network snapshot();

    /** One peer's part of it, read on the core's thread; null if the core holds nothing of that address. */
    Snapshots.Peer peerSnapshot(InetSocketAddress remote);

    /**
     * Runs tasks on the core's thread, each queued behind what that thread is doing (never
     * inline): where the non-blocking plugins run.
     */
    Executor loop();

    /** Closes every session with notice, then the socket. */
    void shutdown();
}
