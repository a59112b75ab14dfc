package gladius.p2p.kcp.internal.observe;

import gladius.p2p.Figure;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.NodeRecord;
import gladius.p2p.PeerState;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The immutable values behind {@link gladius.p2p.Network#networkState()}. */
public final class Snapshots {

    private Snapshots() {}

    public record Peer(NodeAddress address, boolean inRouteTable, boolean writable, boolean connected, boolean inbound,
                NodeAddress relayAddress, Duration smoothedRtt, long messagesSent, long messagesReceived, long retransmissions,
                int queuedMessages, Instant lastSeen, byte[] staticKeyBytes, NodeKey pinnedKey, NodeRecord latestRecord,
                String cipherName)
            implements PeerState {

        @Override
        public Optional<byte[]> staticKey() {
            return Optional.ofNullable(staticKeyBytes).map(byte[]::clone);
        }

        @Override
        public Optional<NodeKey> key() {
            return staticKeyBytes != null ? Optional.of(NodeKey.of(staticKeyBytes)) : Optional.ofNullable(pinnedKey);
        }

        @Override
        public Optional<NodeRecord> record() {
            return Optional.ofNullable(latestRecord);
        }

        @Override
        public Optional<NodeAddress> relay() {
            return Optional.ofNullable(relayAddress);
        }

        @Override
        public Optional<String> cipher() {
            return Optional.ofNullable(cipherName);
        }

        /** One line a person can read: the round trip in milliseconds, the static key in hex, the cipher. */
        @Override
        public String toString() {
            return "PeerState[" + address + (inRouteTable ? ", in route table" : "") + (writable ? ", writable" : "")
                    + (connected ? ", connected" : ", not connected") + (inbound ? ", inbound" : "")
                    + (relayAddress == null ? "" : ", via " + relayAddress)
                    + ", rtt " + millis(smoothedRtt) + ", sent " + messagesSent + ", received " + messagesReceived
                    + ", resent " + retransmissions + ", queued " + queuedMessages
                    + ", last seen " + (lastSeen == null ? "never" : lastSeen)
                    + key().map(k -> ", key " + k).orElse("") + (cipherName == null ? "" : ", " + cipherName) + "]";
        }
    }

    /** A duration as milliseconds with one decimal: {@code 0.4 ms}. */
    static String millis(Duration duration) {
        return String.format(Locale.ROOT, "%.1f ms", duration.toNanos() / 1e6);
    }

    /** The network's figures; {@code io} is the socket implementation kcp.io resolved to, "epoll" or "nio". */
    public record Network(NodeAddress localAddress, List<PeerState> peers, long messagesSent, long messagesReceived,
                   long bytesSent, long bytesReceived, long messagesDropped, long checksumFailures,
                   long malformedInputs, long pluginFailures, long sessionsRefused,
                   long unauthenticatedDatagrams, String io, byte[] staticKeyBytes,
                   List<NodeAddress> observedAddresses, long relayedDatagrams, long relayedBytes, long relayDrops,
                   int relayCircuits) implements NetworkState {

        public Network {
            peers = List.copyOf(peers);
            observedAddresses = List.copyOf(observedAddresses);
        }

        @Override
        public Optional<byte[]> staticKey() {
            return Optional.ofNullable(staticKeyBytes).map(byte[]::clone);
        }

        @Override
        public Optional<PeerState> peer(NodeAddress node) {
            return peers.stream().filter(p -> p.address().equals(node)).findFirst();
        }

        /** Every figure NetworkState describes that is not 0: {@code , messagesSent 3, bytesSent 120}. */
        private String figures() {
            StringBuilder text = new StringBuilder();
            for (Figure figure : NetworkState.figures()) {
                long value = figure.of(this);
                if (value != 0 && !figure.name().endsWith("Peers")) { // the peers are listed below
                    text.append(", ").append(figure.name()).append(' ').append(value);
                }
            }
            return text.toString();
        }

        /** The node's figures on one line, then one line per peer. */
        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("NetworkState[").append(localAddress).append(" on ").append(io)
                    .append(staticKeyBytes == null ? "" : ", key " + HexFormat.of().formatHex(staticKeyBytes))
                    .append(observedAddresses.isEmpty() ? "" : ", seen as " + observedAddresses.get(0))
                    .append(figures())
                    .append(", ").append(peers.size()).append(peers.size() == 1 ? " peer]" : " peers]");
            for (PeerState peer : peers) {
                text.append(System.lineSeparator()).append("  ").append(peer);
            }
            return text.toString();
        }
    }
}
