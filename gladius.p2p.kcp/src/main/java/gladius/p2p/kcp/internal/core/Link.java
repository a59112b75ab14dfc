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
 * never back. Shared by a {@link Session} and its {@link Wire}. Event loop only.
 */
final class Link {

    private final Driver endpoint;
    final InetSocketAddress remote;
    /** The peer's address as a RELAY names it. */
    private final byte[] target;
    /** Empty: direct. One: the session's relay. More: a relayed dial not answered yet. */
    private List<Peer> relays;

    private Link(Driver endpoint, InetSocketAddress remote, List<Peer> relays) {
        this.endpoint = endpoint;
        this.remote = remote;
        this.target = Datagram.observed(remote);
        this.relays = List.copyOf(relays);
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

    /**
     * Before the session is established: answer the way its last datagram came ({@code via} null:
     * directly), if that is one of this path's ways; a relay that was not asked never becomes one.
     */
    void follow(Peer via) {
        if (via == null) {
            relays = List.of();
        } else if (relays.contains(via) && relays.size() > 1) {
            relays = List.of(via);
        }
    }

    /** The direct path works: leave the relay. */
    void goDirect() {
        relays = List.of();
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
