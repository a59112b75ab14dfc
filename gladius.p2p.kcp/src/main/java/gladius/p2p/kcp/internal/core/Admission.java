package gladius.p2p.kcp.internal.core;

import gladius.p2p.kcp.internal.observe.Addresses;
import gladius.p2p.kcp.internal.observe.Counters;
import gladius.p2p.kcp.internal.observe.FlightEvents;
import java.net.InetSocketAddress;

/**
 * Whether another node may open a session now: {@code kcp.max-sessions} in all,
 * {@code kcp.max-sessions-per-ip} from its address, and {@code kcp.handshakes-per-second} (a
 * token bucket, which replacing a session counts against too, or one address could churn
 * sessions without end). Refusals are counted; nothing is sent back, so a flood gets no answers
 * to amplify. Event loop only.
 */
final class Admission {

    private static final System.Logger LOG = System.getLogger(Admission.class.getName());

    private final KcpSettings settings;
    private final Counters counters;
    private final SessionTable sessions;
    private final Driver endpoint;
    private final TokenBucket handshakes;

    Admission(KcpSettings settings, Counters counters, SessionTable sessions, Driver endpoint) {
        this.settings = settings;
        this.counters = counters;
        this.sessions = sessions;
        this.endpoint = endpoint;
        this.handshakes = new TokenBucket(settings.handshakesPerSecond(), 0);
    }

    /** A session this node dials counts against kcp.max-sessions only. */
    boolean mayDial() {
        return sessions.size() < settings.maxSessions();
    }

    /** Admits (or refuses and counts) a handshake from a remote node; {@code replacing} its current session. */
    boolean admit(InetSocketAddress remote, long now, boolean replacing) {
        String limit = null;
        if (!replacing && sessions.size() >= settings.maxSessions()) {
            limit = "kcp.max-sessions";
        } else if (!replacing && sessions.from(remote.getAddress()) >= settings.maxSessionsPerIp()) {
            limit = "kcp.max-sessions-per-ip";
        } else if (!handshakes.take(1, now)) {
            limit = "kcp.handshakes-per-second";
        }
        if (limit != null) {
            counters.sessionsRefused.increment();
            String reached = limit;
            LOG.log(System.Logger.Level.DEBUG, () -> "refused a session from " + Addresses.nodeAddress(remote) + ": " + reached + " reached");
            FlightEvents.refused(endpoint.localAddress(), remote, reached + " reached", true);
        }
        return limit == null;
    }
}
