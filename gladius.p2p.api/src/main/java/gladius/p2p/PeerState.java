package gladius.p2p;

import java.time.Duration;
import java.time.Instant;

/** One peer in a {@link NetworkState} snapshot. */
public interface PeerState {

    /** {@return the peer's address, as its datagrams come from} */
    NodeAddress address();

    /** {@return in the route table (added explicitly or by a plugin)} */
    boolean inRouteTable();

    /** {@return untargeted broadcasts reach it} */
    boolean writable();

    /** {@return a live session exists now} */
    boolean connected();

    /** {@return the session was opened by the other side} */
    boolean inbound();

    /** {@return the transport's smoothed round-trip time; {@link Duration#ZERO} before the first sample} */
    Duration smoothedRtt();

    /** {@return messages handed to this peer's session} */
    long messagesSent();

    /** {@return messages received from this peer} */
    long messagesReceived();

    /** {@return segments the transport sent again} */
    long retransmissions();

    /** {@return messages waiting in this peer's queue} */
    int queuedMessages();

    /** {@return when a datagram last came from this peer; {@link Instant#EPOCH} if never} */
    Instant lastSeen();

    /**
     * The peer's static public key, proven by the handshake of a secure session, so a plugin can
     * decide whom to trust. Added to the original contract; empty for a plain session, or with no
     * session yet.
     *
     * @return a copy of the 32-byte X25519 public key
     */
    default java.util.Optional<byte[]> staticKey() {
        return java.util.Optional.empty();
    }

    /**
     * The node this peer's session passes through when neither side can reach the other directly
     * (both behind NATs that will not let a direct session through; the kcp transport's relays,
     * {@code kcp.relay}). A relayed session is as reliable, and in secure mode as private, as a
     * direct one: the relay forwards datagrams it cannot read. Added to the original contract;
     * empty for a direct session, or with no session.
     *
     * @return the relay's address as this node knows it, or empty
     */
    default java.util.Optional<NodeAddress> relay() {
        return java.util.Optional.empty();
    }

    /**
     * Who this peer is, in a network with keys: the key its session's handshake proved, or before
     * that the key pinned with {@link Network#add(Contact)}. Added to the original contract.
     *
     * @return the key, or empty for a peer of a network without keys, or one with neither
     */
    default java.util.Optional<NodeKey> key() {
        return staticKey().map(NodeKey::of);
    }

    /**
     * The peer's latest signed record, sent over its authenticated session (so its key is the one
     * the session proved): what a plugin passes on when it tells others about this peer. Added to
     * the original contract.
     *
     * @return the record, or empty in a network without keys or before the peer has sent one
     */
    default java.util.Optional<NodeRecord> record() {
        return java.util.Optional.empty();
    }

    /**
     * The authenticated cipher that seals this peer's session, as the transport names it (with the
     * kcp transport the values of {@code kcp.cipher}: {@code aes-gcm} or {@code chacha20-poly1305},
     * the dialer's choice); empty if the session is plain or not established. Added to the first
     * release's contract.
     *
     * @return the session's cipher, if it is sealed
     */
    default java.util.Optional<String> cipher() {
        return java.util.Optional.empty();
    }
}
