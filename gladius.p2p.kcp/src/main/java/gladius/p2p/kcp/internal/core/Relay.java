package gladius.p2p.kcp.internal.core;

import gladius.p2p.kcp.internal.observe.Counters;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * This node relaying for its peers ({@code kcp.relay}, docs/PROTOCOL.md section 7), as libp2p's
 * circuit relay v2 does: a peer that cannot be reached directly holds a <em>reservation</em> here
 * (RESERVE, answered by RESERVED), and a RELAY from any other peer with a direct session here goes
 * on to it as RELAYED, naming where it came from, opening a <em>circuit</em> for the pair; the
 * circuit then carries both directions. Nothing is forwarded to a peer without a reservation
 * unless that peer's circuit is open, so a peer cannot make this node send to whom it likes.
 * Limits: {@code kcp.relay-reservations} reservations, {@code kcp.relay-circuits} circuits of
 * which one peer may open at most {@code kcp.relay-circuits-per-peer}, each circuit at most
 * {@code kcp.relay-bytes-per-second} and all together at most
 * {@code kcp.relay-total-bytes-per-second} (token buckets holding a second's worth); a datagram
 * refused by a limit is counted and keeps nothing alive. What it forwards it neither reads nor
 * changes: in secure mode it cannot (the pair's Noise session is end to end). Owned by the
 * {@link SessionLayer}. Event loop only.
 */
final class Relay {

    /** How long a reservation lasts; its holder renews it at half that. */
    static final long RESERVATION_MILLIS = 120_000;

    private final KcpSettings settings;
    private final Counters counters;
    private final SessionTable sessions;
    /** The peers holding a reservation, by their address, with when it ends. */
    private final Map<InetSocketAddress, Long> reservations = new HashMap<>();
    private final Circuits circuits;

    Relay(KcpSettings settings, Counters counters, SessionTable sessions) {
        this.settings = settings;
        this.counters = counters;
        this.sessions = sessions;
        this.circuits = new Circuits(settings.relayCircuits(), settings.relayCircuitsPerPeer(), settings.relayBytesPerSecond(),
                settings.relayTotalBytesPerSecond());
    }

    /** A RESERVE over an established session: granted if this node relays, the session is direct and there is room. */
    void reserve(Session from, long now) {
        int status;
        if (!settings.relay()) {
            status = Datagram.RESERVED_NOT_A_RELAY;
        } else if (from.link().relayed()) {
            status = Datagram.RESERVED_NOT_A_RELAY; // no chains: a relayed peer is reached through its own relay
        } else if (!reservations.containsKey(from.peer().remote) && reservations.size() >= settings.relayReservations()) {
            status = Datagram.RESERVED_FULL;
            counters.relayDrops.increment();
        } else {
            status = Datagram.RESERVED_OK;
            reservations.put(from.peer().remote, now + RESERVATION_MILLIS);
        }
        from.reserved(status, status == Datagram.RESERVED_OK ? (int) (RESERVATION_MILLIS / 1000) : 0);
    }

    /**
     * A RELAY from {@code from} (an established session, its tags or seal already checked) for
     * {@code target}: forwards the whole datagram of ours in {@code inner} as RELAYED, or counts the drop.
     */
    void forward(Session from, InetSocketAddress target, ByteBuf inner, long now) {
        Session to = target == null ? null : sessions.get(target);
        if (!settings.relay() || from.link().relayed() || to == null || to == from || !to.established() || to.link().relayed()) {
            // Only between peers with a direct session here, both of them: never a chain of relays.
            counters.relayDrops.increment();
            return;
        }
        InetSocketAddress source = from.peer().remote;
        int bytes = inner.readableBytes();
        if (!circuits.admit(source, target, reserved(target, now), bytes, now)) {
            counters.relayDrops.increment();
            return;
        }
        to.carry(Datagram.RELAYED, Datagram.observed(source), inner.retainedSlice());
        counters.relayedDatagrams.increment();
        counters.relayedBytes.add(bytes);
    }

    private boolean reserved(InetSocketAddress peer, long now) {
        Long until = reservations.get(peer);
        return until != null && now < until;
    }

    /** Ends reservations that ran out or whose session is gone, and circuits idle for kcp.dead-peer-timeout. */
    void expire(long now) {
        for (Iterator<Map.Entry<InetSocketAddress, Long>> i = reservations.entrySet().iterator(); i.hasNext(); ) {
            Map.Entry<InetSocketAddress, Long> reservation = i.next();
            Session holder = sessions.get(reservation.getKey());
            if (now >= reservation.getValue() || holder == null || !holder.established()) {
                i.remove();
            }
        }
        circuits.expire(now, settings.deadPeerTimeout().toMillis());
    }

    int circuits() {
        return circuits.size();
    }

    /**
     * The circuits of one relay and their limits, apart from sockets and sessions so that the
     * rules can be checked on their own, in virtual time (RelayCircuitsTest). A circuit is a pair
     * of addresses, both directions; it is opened by the first datagram of the pair, toward a peer
     * with a reservation, and that datagram's sender is its opener.
     */
    static final class Circuits {
        private final int max;
        private final int maxPerOpener;
        private final long bytesPerSecond;
        private final TokenBucket total;
        private final Map<Set<InetSocketAddress>, Circuit> circuits = new HashMap<>();
        private final Map<InetSocketAddress, Integer> opened = new HashMap<>();

        Circuits(int max, int maxPerOpener, long bytesPerSecond, long totalBytesPerSecond) {
            this.max = max;
            this.maxPerOpener = maxPerOpener;
            this.bytesPerSecond = bytesPerSecond;
            this.total = new TokenBucket(totalBytesPerSecond, 0);
        }

        /**
         * Whether a datagram of {@code bytes} from {@code source} to {@code target} may go now
         * ({@code targetReserved}: the target holds a reservation). Only a datagram that goes
         * keeps its circuit alive.
         */
        boolean admit(InetSocketAddress source, InetSocketAddress target, boolean targetReserved, int bytes, long now) {
            Set<InetSocketAddress> pair = Set.of(source, target);
            Circuit circuit = circuits.get(pair);
            if (circuit == null) {
                if (!targetReserved || circuits.size() >= max || opened.getOrDefault(source, 0) >= maxPerOpener
                        || !total.available(bytes, now)) {
                    return false;
                }
                circuit = new Circuit(source, new TokenBucket(bytesPerSecond, now));
                if (!circuit.bytes.available(bytes, now)) {
                    return false;
                }
                circuits.put(pair, circuit);
                opened.merge(source, 1, Integer::sum);
            } else if (!circuit.bytes.available(bytes, now) || !total.available(bytes, now)) {
                return false;
            }
            circuit.bytes.take(bytes, now);
            total.take(bytes, now);
            circuit.lastUsedAt = now;
            return true;
        }

        void expire(long now, long idleMillis) {
            for (Iterator<Circuit> i = circuits.values().iterator(); i.hasNext(); ) {
                Circuit circuit = i.next();
                if (now - circuit.lastUsedAt > idleMillis) {
                    i.remove();
                    opened.computeIfPresent(circuit.opener, (opener, n) -> n == 1 ? null : n - 1);
                }
            }
        }

        int size() {
            return circuits.size();
        }

        int openedBy(InetSocketAddress source) {
            return opened.getOrDefault(source, 0);
        }

        /** One pair: who opened it, its budget in bytes, and when a datagram last went through. */
        private static final class Circuit {
            final InetSocketAddress opener;
            final TokenBucket bytes;
            long lastUsedAt;

            Circuit(InetSocketAddress opener, TokenBucket bytes) {
                this.opener = opener;
                this.bytes = bytes;
            }
        }
    }
}
