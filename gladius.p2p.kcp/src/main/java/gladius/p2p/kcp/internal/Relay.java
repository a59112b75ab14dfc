package gladius.p2p.kcp.internal;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * This node relaying for its peers ({@code kcp.relay}, docs/PROTOCOL.md section 7): a RELAY
 * datagram from a peer with an established direct session here, naming another such peer, goes
 * on to that peer as RELAYED, naming where it came from. At most {@code kcp.relay-circuits}
 * pairs at once, each at most {@code kcp.relay-bytes-per-second} (both directions together, a
 * second's worth of burst); anything else is dropped and counted. What it forwards it neither
 * reads nor changes: in secure mode it cannot (the pair's Noise session is end to end). Owned by
 * the {@link SessionLayer}. Event loop only.
 */
final class Relay {

    private final KcpSettings settings;
    private final Counters counters;
    private final UdpEndpoint endpoint;
    private final SessionTable sessions;
    /** By the pair of addresses, in either order. */
    private final Map<Set<InetSocketAddress>, Circuit> circuits = new HashMap<>();

    Relay(KcpSettings settings, Counters counters, UdpEndpoint endpoint, SessionTable sessions) {
        this.settings = settings;
        this.counters = counters;
        this.endpoint = endpoint;
        this.sessions = sessions;
    }

    /** A RELAY from {@code remote}, its header read; forwards its datagram or counts the drop. */
    void forward(InetSocketAddress remote, Datagram.Header header, ByteBuf payload, long now) {
        if (!settings.relay()) {
            counters.relayDrops.increment();
            return;
        }
        Session from = sessions.get(remote);
        InetSocketAddress target = Datagram.readAddress(payload);
        Session to = target == null ? null : sessions.get(target);
        if (!carries(from, header) || to == null || to == from || !to.established() || to.link().relayed()) {
            // Only for peers with a direct session here, both of them: never a chain of relays.
            counters.relayDrops.increment();
            return;
        }
        int bytes = payload.readableBytes();
        Circuit circuit = circuits.get(Set.of(remote, target));
        if (circuit == null) {
            if (circuits.size() >= settings.relayCircuits()) {
                counters.relayDrops.increment();
                return;
            }
            circuit = new Circuit(settings.relayBytesPerSecond(), now);
            circuits.put(Set.of(remote, target), circuit);
        }
        if (!circuit.take(bytes, now)) {
            counters.relayDrops.increment();
            return;
        }
        endpoint.write(target, Datagram.relay(endpoint.alloc(), Datagram.RELAYED, to.localTag(), to.remoteTag(),
                Datagram.observed(remote), payload.retainedSlice()));
        counters.relayedDatagrams.increment();
        counters.relayedBytes.add(bytes);
    }

    /** Whether a RELAY or RELAYED header names this established session by both its tags. */
    static boolean carries(Session session, Datagram.Header header) {
        return session != null && session.established() && header.sender() == session.remoteTag()
                && header.receiver() == session.localTag();
    }

    /** Forgets pairs that have sent nothing for kcp.dead-peer-timeout (their sessions are gone or quiet). */
    void expire(long now) {
        long idle = settings.deadPeerTimeout().toMillis();
        for (Iterator<Circuit> i = circuits.values().iterator(); i.hasNext(); ) {
            if (now - i.next().lastUsedAt > idle) {
                i.remove();
            }
        }
    }

    int circuits() {
        return circuits.size();
    }

    /** One pair: its budget in bytes, and when it last asked for any. */
    private static final class Circuit {
        private final TokenBucket bytes;
        private long lastUsedAt;

        Circuit(long bytesPerSecond, long now) {
            this.bytes = new TokenBucket(bytesPerSecond, now);
            this.lastUsedAt = now;
        }

        boolean take(int amount, long now) {
            lastUsedAt = now;
            return bytes.take(amount, now);
        }
    }
}
