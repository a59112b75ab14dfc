package gladius.p2p.benchmarks;

import gladius.p2p.sim.Geography;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * How long a message takes between two nodes on the simulator's Earth when the kcp transport is
 * modelled rather than run (the {@code DhtScale} and {@code PubSubScale} figures): one way from
 * {@link Geography#EARTH}; a pair's first message waits one more round trip (the Noise XX
 * handshake before it); a datagram lost with probability {@code loss} is sent again after its
 * retransmission timeout (max(100 ms, 2 RTT), 1.5x per further loss), as the transport's min-rto
 * and backoff do. A message of more than one datagram (1,400 bytes each) with a datagram lost waits
 * 9/8 of a round trip instead, as the transport's time-threshold rule (RFC 9002, 6.1.2) resends a
 * segment once a later one is acknowledged and it is that much older (the later datagrams of the
 * same message are acknowledged); a resend lost again waits the timeout, 1.5x per further loss.
 * Nothing is lost outright; bandwidth is the caller's to model (it is not here).
 */
public final class ModelledLinks {

    /** Bytes of message per datagram (the kcp transport's MTU less its headers, about). */
    private static final int DATAGRAM = 1400;

    private final List<Geography.Place> places;
    private final double loss;
    private final Set<Long> sessions = new HashSet<>();

    /**
     * @param places each node's place, by index (it may grow as nodes join)
     * @param loss the share of datagrams lost
     */
    public ModelledLinks(List<Geography.Place> places, double loss) {
        this.places = places;
        this.loss = loss;
    }

    /**
     * {@return the round trip between two nodes without jitter, as a smoothed measurement would have it}
     */
    public double rttMillis(int from, int to) {
        return 2 * Geography.EARTH.oneWayMillis(places.get(from), places.get(to), new Random(0));
    }

    /** {@return the delay of one message of one datagram from node {@code from} to node {@code to}, in milliseconds} */
    public double oneWayMillis(int from, int to, SplittableRandom random) {
        return oneWayMillis(from, to, 1, random);
    }

    /** {@return the delay of a message of {@code bytes} from node {@code from} to node {@code to}, in milliseconds} */
    public double oneWayMillis(int from, int to, int bytes, SplittableRandom random) {
        double oneWay = Geography.EARTH.oneWayMillis(places.get(from), places.get(to), new Random(random.nextLong()));
        double rtt = 2 * oneWay;
        double delay = oneWay;
        long pair = from < to ? ((long) from << 32) | to : ((long) to << 32) | from;
        if (sessions.add(pair)) {
            delay += rtt; // the handshake first
        }
        double rto = Math.max(100, 2 * rtt);
        int datagrams = Math.max(1, (bytes + DATAGRAM - 1) / DATAGRAM);
        if (random.nextDouble() < 1 - Math.pow(1 - loss, datagrams)) { // one draw, as a single datagram always took
            // A lost datagram: found by the time threshold once a later one is acknowledged (a message
            // of several datagrams has later ones), else by the timeout.
            delay += datagrams > 1 ? 1.125 * rtt : rto;
            if (datagrams == 1) {
                rto *= 1.5;
            }
        } else {
            return delay;
        }
        while (random.nextDouble() < loss) {
            delay += rto;
            rto *= 1.5;
        }
        return delay;
    }
}
