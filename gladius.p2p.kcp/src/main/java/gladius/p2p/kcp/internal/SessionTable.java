package gladius.p2p.kcp.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sessions of one endpoint by remote address (one at a time per address), and how many come
 * from each IP address. What the {@link SessionLayer} demultiplexes datagrams with and what
 * {@link Admission} counts. Event loop only.
 */
final class SessionTable {

    private final Map<InetSocketAddress, Session> sessions = new HashMap<>();
    private final Map<InetAddress, Integer> perIp = new HashMap<>();

    Session get(InetSocketAddress remote) {
        return sessions.get(remote);
    }

    void put(InetSocketAddress remote, Session session) {
        sessions.put(remote, session);
        perIp.merge(remote.getAddress(), 1, Integer::sum);
    }

    /** Removes the session if it is still the one for its address. */
    void remove(InetSocketAddress remote, Session session) {
        if (sessions.remove(remote, session)) {
            perIp.computeIfPresent(remote.getAddress(), (ip, n) -> n == 1 ? null : n - 1);
        }
    }

    int size() {
        return sessions.size();
    }

    int from(InetAddress ip) {
        return perIp.getOrDefault(ip, 0);
    }

    /** The sessions now, in a new list (closing one while walking it is fine). */
    List<Session> all() {
        return new ArrayList<>(sessions.values());
    }
}
