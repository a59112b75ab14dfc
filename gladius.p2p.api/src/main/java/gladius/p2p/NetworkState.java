package gladius.p2p;

import java.util.List;
import java.util.Optional;

/**
 * A consistent snapshot of a node's peers and counters, taken by {@link Network#networkState()}.
 *
 * <p>{@link #figures()} describes every figure once, for whatever shows them.
 *
 * <p>Additions to the original contract: {@link #pluginFailures()}, {@link #sessionsRefused()},
 * {@link #unauthenticatedDatagrams()}, {@link #staticKey()}, {@link #observedAddresses()}.
 */
public interface NetworkState {

    /** {@return the node's bound address} */
    NodeAddress localAddress();

    /** {@return every peer with a session, a queue or a route-table entry, ordered by address} */
    List<PeerState> peers();

    /**
     * One peer of this snapshot.
     *
     * @param node a peer's address
     * @return that peer, or empty
     */
    Optional<PeerState> peer(NodeAddress node);

    /** {@return messages handed to a session (once per peer)} */
    long messagesSent();

    /** {@return messages received whole, with a valid checksum} */
    long messagesReceived();

    /** {@return bytes sent in datagrams} */
    long bytesSent();

    /** {@return bytes received in datagrams} */
    long bytesReceived();

    /**
     * {@return messages not sent or not known to have arrived: a peer's queue was full, the peer was
     * unknown or not writable, or a session ended before its peer acknowledged them (one of those
     * may have arrived while its acknowledgement was lost)}
     */
    long messagesDropped();

    /** {@return frames whose checksum did not match; they were dropped} */
    long checksumFailures();

    /** {@return datagrams or frames that could not be parsed; they were dropped} */
    long malformedInputs();

    /**
     * Plugin callbacks that threw. Each was logged; the other plugins still got the event.
     * Added to the original contract; implementations that do not count return 0.
     *
     * @return callbacks that threw
     */
    default long pluginFailures() {
        return 0;
    }

    /**
     * Sessions refused at the handshake, by this node or by the peer: a secure node and a plain
     * one meeting, or a static key outside the allow-list. Each is also logged with its reason.
     * Added to the original contract; implementations without handshakes return 0.
     *
     * @return sessions refused
     */
    default long sessionsRefused() {
        return 0;
    }

    /**
     * Datagrams of secure sessions that did not authenticate, or replayed one already seen; they
     * were dropped before reaching the transport's engine. Added to the original contract;
     * implementations without encryption return 0.
     *
     * @return datagrams dropped for failing authentication or replay checks
     */
    default long unauthenticatedDatagrams() {
        return 0;
    }

    /**
     * This node's static public key, the one its peers see as {@link PeerState#staticKey()} and
     * list in their allow-lists, when its sessions are authenticated (the kcp transport's secure
     * mode: a 32-byte X25519 key). Added to the original contract; empty where there is none.
     *
     * @return a copy of the key, or empty
     */
    default Optional<byte[]> staticKey() {
        return Optional.empty();
    }

    /**
     * Who this node is, in a network with keys: its {@link #staticKey()} as a {@link NodeKey},
     * what others pin when they dial it ({@code KEYHEX@HOST:PORT}). Added to the original contract.
     *
     * @return the key, or empty where sessions prove none
     */
    default Optional<NodeKey> key() {
        return staticKey().map(NodeKey::of);
    }

    /**
     * This node's address as its connected peers see it: where its datagrams come from at their
     * end, as each reports it (the kcp transport: in every keepalive), most reported first. Behind
     * a NAT that is the router's public address and port, not {@link #localAddress()}; it is what
     * peers give others to reach this node. Added to the original contract; empty before any peer
     * has reported, and where the transport does not learn it.
     *
     * @return the addresses, most reported first
     */
    default List<NodeAddress> observedAddresses() {
        return List.of();
    }

    /**
     * Datagrams this node forwarded for pairs of its peers that cannot reach each other directly
     * (the kcp transport with {@code kcp.relay=true}). Added to the original contract; 0 where the
     * node does not relay.
     *
     * @return datagrams relayed since the network was created
     */
    default long relayedDatagrams() {
        return 0;
    }

    /**
     * The bytes of {@link #relayedDatagrams()}, as the peers sent them. Added to the original
     * contract; 0 where the node does not relay.
     *
     * @return bytes relayed since the network was created
     */
    default long relayedBytes() {
        return 0;
    }

    /**
     * Datagrams this node was asked to relay and did not: it does not relay, the sender or the
     * target has no session with it, or the relay's limits (pairs at once, bytes per second per
     * pair) were reached. Added to the original contract; 0 where there is none.
     *
     * @return datagrams refused since the network was created
     */
    default long relayDrops() {
        return 0;
    }

    /**
     * Pairs of peers this node relays between now (each pair counts once, both directions). Added
     * to the original contract; 0 where the node does not relay.
     *
     * @return the pairs relayed within the last dead-peer timeout
     */
    default int relayCircuits() {
        return 0;
    }

    /**
     * Every figure of a snapshot, described once for every view of a node (the text report, JMX,
     * Prometheus, the live page): the counters above and the peers in the route table and
     * connected. Added to the original contract.
     *
     * @return the figures, in the order views show them
     */
    static List<Figure> figures() {
        return Figures.ALL;
    }
}
