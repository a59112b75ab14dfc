package gladius.p2p.kcp.internal.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sessions of one endpoint by the peer's address: the current one (one at a time per
 * address, whatever its path), and beside it at most one <em>pending</em> session, a handshake
 * that would replace the current one and does so only once it completes (a peer that restarted
 * proves it; one spoofed HELLO proves nothing). Counts sessions per IP address for
 * {@link Admission}: a session a relay opened is charged to the relay's address, not to the
 * address the relay names. What the {@link SessionLayer} demultiplexes datagrams with. Event loop only.
 */
final class SessionTable {

    private final Map<InetSocketAddress, Session> sessions = new HashMap<>();
    private final Map<InetSocketAddress, Session> pending = new HashMap<>();
    private final Map<InetAddress, Integer> perIp = new HashMap<>();

    /** The current session with the peer at this address, or null. */
    Session get(InetSocketAddress remote) {
        return sessions.get(remote);
    }

    /** The handshake that would replace the current session at this address, or null. */
    Session pending(InetSocketAddress remote) {
        return pending.get(remote);
    }

    void put(InetSocketAddress remote, Session session) {
        sessions.put(remote, session);
        perIp.merge(session.chargedTo(), 1, Integer::sum);
    }

    /** Sets the pending handshake of an address; one already there is the caller's to close first. */
    void putPending(InetSocketAddress remote, Session session) {
        pending.put(remote, session);
    }

    /** Removes the session if it is still the current one for its address. */
    void remove(InetSocketAddress remote, Session session) {
        if (sessions.remove(remote, session)) {
            perIp.computeIfPresent(session.chargedTo(), (ip, n) -> n == 1 ? null : n - 1);
        }
    }

    /** Removes the pending handshake if it is still this one; true if it was. */
    boolean removePending(InetSocketAddress remote, Session session) {
        return pending.remove(remote, session);
    }

    int size() {
        return sessions.size();
    }

    /** Sessions charged to this IP address: its own, and those relayed by it. */
    int from(InetAddress ip) {
        return perIp.getOrDefault(ip, 0);
    }

    /** The current sessions now, in a new list (closing one while walking it is fine). */
    List<Session> all() {
        return new ArrayList<>(sessions.values());
    }

    /** The current and the pending sessions now, in a new list. */
    List<Session> allWithPending() {
        List<Session> all = new ArrayList<>(sessions.values());
        all.addAll(pending.values());
        return all;
    }
}
