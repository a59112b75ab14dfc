package gladius.p2p.kcp.internal.core;

import gladius.p2p.kcp.internal.dispatch.PluginDispatcher;
import gladius.p2p.kcp.internal.observe.Addresses;
import gladius.p2p.kcp.internal.observe.Counters;
import gladius.p2p.kcp.internal.observe.FlightEvents;
import java.security.SecureRandom;

/**
 * What every session of one endpoint shares, made once by the {@link SessionLayer} when it binds:
 * the settings, counters, driver (time and datagrams out), timers, plugin dispatcher, the random source of tags and handshakes,
 * and the layer as each session's {@link Session.Owner}. Also the two answers to a datagram that
 * no session takes, which the layer and sessions both send. Event loop only.
 */
record SessionContext(KcpSettings settings, Counters counters, Driver endpoint, Timers timers, PluginDispatcher dispatcher,
                      SecureRandom random, Session.Owner owner) {

    private static final System.Logger LOG = System.getLogger(SessionContext.class.getName());

    /** Tells the sender of a datagram for a session that does not exist that there is none, naming its tags. */
    void reset(Link link, Datagram.Header header) {
        if (header.receiver() != 0) {
            link.writeControl(Datagram.RESET, header.receiver(), header.sender(), 0);
        }
    }

    /** Refuses a handshake with its reason, counted, told to the peer, and logged (at DEBUG unless {@code loud}). */
    void refuse(Link link, Datagram.Header header, int reason, String why, boolean loud) {
        counters.sessionsRefused.increment();
        LOG.log(loud ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG, "refused a session with {0}: {1}",
                Addresses.nodeAddress(link.remote), why);
        FlightEvents.refused(endpoint.localAddress(), link.remote, why, true);
        link.writeControl(Datagram.REFUSE, header.receiver() == 0 ? 1 : header.receiver(), header.sender(), reason);
    }
}
