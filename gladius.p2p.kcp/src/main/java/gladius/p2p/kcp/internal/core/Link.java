package gladius.p2p.kcp.internal.core;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Where one session's datagrams go: straight to the peer's address, or through relays (peers with
 * {@code kcp.relay} on, each reached over a direct session of its own, which carries the datagram
 * as a RELAY) that forward them (docs/PROTOCOL.md, section 7). A relayed dial sends its HELLO
 * through every candidate; the path then follows the datagrams of the handshake among those
 * candidates, so the session settles on the relay that answered. An established session moves
 * from its relay to the direct path the first time one of its datagrams arrives directly, and
 * never back; while relayed it tries the direct path now and then ({@link #punchDue}). Owns all of
 * a session's path state: the way, the way the datagram in hand came, the punching timers. Shared
 * by a {@link Session} and its {@link Wire}. Event loop only.
 */
final class Link {

    /**
     * A relayed session tries the direct path: a PING straight to the peer at once, then after
     * doubling waits up to this one, for as long as it is relayed (docs/PROTOCOL.md, section 7).
     */
    private static final long FIRST_PUNCH_MILLIS = 250;
    private static final long LAST_PUNCH_MILLIS = 15_000;

    private final Driver endpoint;
    final InetSocketAddress remote;
    /** The peer's address as a RELAY names it. */
    private final byte[] target;
    /** Empty: direct. One: the session's relay. More: a relayed dial not answered yet. */
    private List<Peer> relays;
    /** The relay the datagram being handled came through; null: directly. */
    private Peer arrivingVia;
    /** While relayed and established: the next direct PING, and the wait after it. */
    private long nextPunchAt = Long.MAX_VALUE;
    private long punchInterval = FIRST_PUNCH_MILLIS;

    private Link(Driver endpoint, InetSocketAddress remote, List<Peer> relays) {
        this.endpoint = endpoint;
        this.remote = remote;
        this.target = Datagram.observed(remote);
        this.relays = List.copyOf(relays);
        this.arrivingVia = relay(); // an inbound session opens on the path its first datagram came by
    }

    static Link direct(Driver endpoint, InetSocketAddress remote) {
        return new Link(endpoint, remote, List.of());
    }

    /** Through these relays ({@code via} empty: direct); a datagram that came through one is answered through it. */
    static Link via(Driver endpoint, InetSocketAddress remote, List<Peer> via) {
        return new Link(endpoint, remote, via);
    }

    boolean relayed() {
        return !relays.isEmpty();
    }

    /** The relay this session goes through, once settled; null if direct or still dialing through several. */
    Peer relay() {
        return relays.size() == 1 ? relays.get(0) : null;
    }

    /** Whether datagrams of this session may come through {@code relay}: one of its relays, or its dial's candidates. */
    boolean through(Peer relay) {
        return relays.contains(relay);
    }

    /**
     * Bytes a datagram may not use on this path, so that what a relay forwards still fits
     * kcp.mtu: the RELAYED around it, sealed in a secure network.
     */
    int overhead(boolean secure) {
        return !relayed() ? 0 : secure ? Datagram.SEALED_RELAY_OVERHEAD : Datagram.RELAY_OVERHEAD;
    }

    /** Whose IP address a session opened from the peer counts against: its relay's, if a relay opened it. */
    java.net.InetAddress openedBy() {
        Peer relay = relay();
        return relay != null ? relay.remote.getAddress() : remote.getAddress();
    }

    /**
     * The layer is about to hand over a datagram that came through {@code via} (null: directly).
     * The path changes only once a datagram proves itself: until established, to the way a
     * handshake step that checked out came ({@link #followArrival}); afterwards, from a relay to
     * direct only ({@link #provenDirect}).
     */
    void arriving(Peer via) {
        arrivingVia = via;
    }

    /**
     * Before the session is established, a handshake step checked out: answer the way it came,
     * if that is one of this path's ways; a relay that was not asked never becomes one.
     */
    void followArrival() {
        if (arrivingVia == null) {
            relays = List.of();
        } else if (relays.contains(arrivingVia) && relays.size() > 1) {
            relays = List.of(arrivingVia);
        }
    }

    /**
     * An established session's datagram checked out: if it came directly while the session is
     * relayed, the direct path works and the relay is left. Returns the relay left, or null.
     */
    Peer provenDirect() {
        if (arrivingVia != null || relays.isEmpty()) {
            return null;
        }
        Peer left = relay();
        relays = List.of();
        return left;
    }

    /** Relayed, and the datagram in hand came directly (not yet known to be the peer's). */
    boolean relayedButArrivingDirectly() {
        return !relays.isEmpty() && arrivingVia == null;
    }

    /** The session is established: a relayed one tries the direct path at once. */
    void established(long now) {
        nextPunchAt = now;
        punchInterval = FIRST_PUNCH_MILLIS;
    }

    /** Whether a relayed session's next direct PING is due. */
    boolean punchDue(long now) {
        return !relays.isEmpty() && now >= nextPunchAt;
    }

    /** A direct PING went: the next after a wait twice as long, up to {@value #LAST_PUNCH_MILLIS} ms. */
    void punched(long now) {
        nextPunchAt = now + punchInterval;
        punchInterval = Math.min(2 * punchInterval, LAST_PUNCH_MILLIS);
    }

    /** Sends one datagram of ours on this path; takes ownership of the buffer. */
    void write(ByteBuf datagram) {
        if (relays.isEmpty()) {
            endpoint.write(remote, datagram);
            return;
        }
        try {
            for (Peer relay : relays) {
                Session carrier = relay.session();
                if (carrier != null && carrier.established()) {
                    // A relay that lost its session with us forwards nothing: the datagram is lost
                    // as on any broken path, and the session's own timers deal with it.
                    carrier.carry(Datagram.RELAY, target, datagram.retainedDuplicate());
                }
            }
        } finally {
            datagram.release();
        }
    }

    /** Sends straight to the peer's address whatever the path (a hole-punching attempt); takes ownership. */
    void writeDirect(ByteBuf datagram) {
        endpoint.write(remote, datagram);
    }

    /** A header-only datagram (or CLOSE, REFUSE with a reason) on this path. */
    void writeControl(int kind, int sender, int receiver, int reason) {
        write(Datagram.control(endpoint.alloc(), kind, sender, receiver, reason));
    }

    @Override
    public String toString() {
        return relays.isEmpty() ? "direct" : "via " + relays;
    }
}
