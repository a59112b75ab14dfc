package gladius.p2p.kcp.internal.core;

import gladius.p2p.kcp.internal.observe.Counters;
import gladius.p2p.kcp.internal.observe.FlightEvents;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How this node reaches peers other than straight at their address, and what it carries for
 * others (docs/PROTOCOL.md, section 7): which relays a dial may go through (trusted ones, one per
 * subnet), which relayed datagrams it accepts and through whom, the reservations it holds behind a
 * NAT ({@link Reservations}), and the relaying it does for its peers ({@link Relay}). The
 * {@link SessionLayer} hands it every RELAY, RELAYED, RESERVE and RESERVED a session carried and
 * asks it for a dial's way and for the way back to a datagram's sender; a relayed datagram it
 * accepts goes back to the layer through the {@link Router} as one of the node's own, with the
 * relay it came through. Each session's own way is its {@link Link}. Event loop only.
 */
final class Paths {

    /** Where a relayed datagram this node accepts goes: the layer, as if it came from {@code remote} through {@code via}. */
    @FunctionalInterface
    interface Router {
        void route(InetSocketAddress remote, Datagram.Header header, ByteBuf datagram, long now, Peer via);
    }

    /** A relayed dial asks at most this many relays at once. */
    private static final int RELAYS_PER_DIAL = 4;

    private final KcpSettings settings;
    private final Counters counters;
    private final Driver endpoint;
    private final SessionTable sessions;
    private final SecureRandom random;
    private final Router router;
    private final Relay relay;
    private final Reservations reservations;
    /** Counters at the last tick, for the flight-recorder event of what grew since. */
    private long relayDropsAtTick;
    private long relayedBytesAtTick;

    Paths(KcpSettings settings, Counters counters, Driver endpoint, SessionTable sessions, Router router) {
        this.settings = settings;
        this.counters = counters;
        this.endpoint = endpoint;
        this.sessions = sessions;
        this.random = endpoint.random();
        this.router = router;
        this.relay = new Relay(settings, counters, sessions);
        this.reservations = new Reservations(settings.reservations());
    }

    /** The way back to {@code remote}: direct, or through the relay a datagram came by ({@code via}). */
    Link back(InetSocketAddress remote, Peer via) {
        return Link.via(endpoint, remote, via == null ? List.of() : List.of(via));
    }

    /** The way a dial to {@code peer} goes: direct, or through relays once direct dials went unanswered. */
    Link forDial(Peer peer) {
        return Link.via(endpoint, peer.remote, peer.relayNext() ? relaysFor(peer) : List.of());
    }

    /**
     * A plain RELAY, RELAYED, RESERVE or RESERVED: admitted only under the tags of an established
     * session with the sender. A secure node takes these only sealed inside a session (Session#onSealed).
     */
    void onCarried(InetSocketAddress remote, Datagram.Header header, ByteBuf payload, long now) {
        if (settings.secure()) {
            counters.unauthenticatedDatagrams.increment();
            return;
        }
        Session carrier = sessions.get(remote);
        if (carrier == null || !carrier.established() || header.sender() != carrier.remoteTag()
                || header.receiver() != carrier.localTag()) {
            if (header.kind() == Datagram.RELAY || header.kind() == Datagram.RELAYED) {
                counters.relayDrops.increment();
            } else {
                counters.malformedInputs.increment();
            }
            return;
        }
        carried(carrier, header.kind(), payload, now);
    }

    /** A RELAY, RELAYED, RESERVE or RESERVED that an established session carried (its tags, or its seal, checked). */
    void carried(Session carrier, int kind, ByteBuf payload, long now) {
        switch (kind) {
            case Datagram.RESERVE -> relay.reserve(carrier, now);
            case Datagram.RESERVED -> {
                if (payload.readableBytes() != 3) {
                    counters.malformedInputs.increment();
                    return;
                }
                int status = payload.readUnsignedByte();
                reservations.answered(carrier.peer(), status, payload.readUnsignedShort(), now);
            }
            case Datagram.RELAY -> relay.forward(carrier, Datagram.readAddress(payload), payload, now);
            default -> onRelayed(carrier, payload, now);
        }
    }

    /**
     * A datagram a relay forwarded: handled as if from the address it names, answered through
     * that relay; but only from a relay this node chose for that address (it dials or holds a
     * session through it) or one it holds a reservation with (and then only to open a session
     * with an address that has none). A relay names whatever address it likes: anything else
     * would let any peer open sessions "with" any address through itself (docs/SECURITY.md).
     */
    private void onRelayed(Session carrier, ByteBuf payload, long now) {
        InetSocketAddress origin = Datagram.readAddress(payload);
        Datagram.Header inner = origin == null ? null : Datagram.read(payload);
        if (carrier.link().relayed() || inner == null || origin.equals(carrier.peer().remote)
                || inner.kind() >= Datagram.RELAY) {
            // Not from a direct session, or not one whole datagram of ours (and no relay's) inside.
            counters.malformedInputs.increment();
            return;
        }
        Peer relayPeer = carrier.peer();
        Session session = sessions.get(origin);
        Session pending = sessions.pending(origin);
        boolean chosen = (session != null && session.link().through(relayPeer))
                || (pending != null && pending.link().through(relayPeer));
        if (!chosen && (session != null || !reservations.holds(relayPeer, now))) {
            counters.relayDrops.increment();
            return;
        }
        router.route(origin, inner, payload, now, relayPeer);
    }

    /** The relays a dial to {@code target} may go through: at most {@link #RELAYS_PER_DIAL} of the trusted ones. */
    private List<Peer> relaysFor(Peer target) {
        List<Peer> relays = new ArrayList<>();
        for (Session session : trustedRelays(target)) {
            if (relays.size() < RELAYS_PER_DIAL) {
                relays.add(session.peer());
            }
        }
        return relays;
    }

    /**
     * The relays this node would use, in random order: peers that said they relay, held in an
     * established direct session, that this node chose itself: in secure mode one whose key it
     * pinned ({@code add(Contact)}, which is how discovery adds what it learned from signed
     * records), in plain mode one in its route table; never one that merely claimed to relay from
     * an inbound session. At most one per IPv4 /24 or IPv6 /48, so that one operator's many
     * addresses count once.
     */
    private List<Session> trustedRelays(Peer except) {
        Map<String, List<Session>> bySubnet = new HashMap<>();
        for (Session session : sessions.all()) {
            Peer peer = session.peer();
            boolean chosen = settings.secure() ? peer.pinnedKey() != null : peer.inRouteTable();
            if (chosen && session.peerRelays() && session.established() && !session.link().relayed() && peer != except) {
                bySubnet.computeIfAbsent(Subnets.of(peer.remote.getAddress()), unused -> new ArrayList<>()).add(session);
            }
        }
        List<Session> relays = new ArrayList<>();
        for (List<Session> subnet : bySubnet.values()) {
            relays.add(subnet.get(random.nextInt(subnet.size())));
        }
        Collections.shuffle(relays, random);
        return relays;
    }

    /** Every tick: the reservations due (behind a NAT), the circuits gone idle, the flight-recorder event. */
    void housekeep(boolean behindNat, long now) {
        if (settings.reservations() > 0) {
            List<Peer> candidates = new ArrayList<>();
            trustedRelays(null).forEach(session -> candidates.add(session.peer()));
            for (Peer relaying : reservations.due(candidates, behindNat, now)) {
                relaying.session().reserve();
            }
        }
        relay.expire(now);
        long relayDrops = counters.relayDrops.sum();
        long relayed = counters.relayedBytes.sum();
        if (relayDrops > relayDropsAtTick) {
            FlightEvents.relayDrops(endpoint.localAddress(), relayDrops - relayDropsAtTick, relayed - relayedBytesAtTick);
        }
        relayDropsAtTick = relayDrops;
        relayedBytesAtTick = relayed;
    }

    /** A session with {@code peer} closed: a reservation with it is gone. */
    void forget(Peer peer) {
        reservations.forget(peer);
    }

    /** Pairs of peers relayed now. */
    int circuits() {
        return relay.circuits();
    }
}
