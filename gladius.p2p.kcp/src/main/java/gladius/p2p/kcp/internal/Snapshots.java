package gladius.p2p.kcp.internal;

import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The immutable values behind {@link gladius.p2p.Network#networkState()}. */
final class Snapshots {

    private Snapshots() {}

    record Peer(NodeAddress address, boolean inRouteTable, boolean writable, boolean connected, boolean inbound,
                Duration smoothedRtt, long messagesSent, long messagesReceived, long retransmissions,
                int queuedMessages, Instant lastSeen, byte[] staticKeyBytes) implements PeerState {

        @Override
        public Optional<byte[]> staticKey() {
            return Optional.ofNullable(staticKeyBytes).map(byte[]::clone);
        }
    }

    /** The network's figures; {@code io} is the socket implementation kcp.io resolved to, "epoll" or "nio". */
    record Network(NodeAddress localAddress, List<PeerState> peers, long messagesSent, long messagesReceived,
                   long bytesSent, long bytesReceived, long messagesDropped, long checksumFailures,
                   long malformedInputs, long pluginFailures, long sessionsRefused,
                   long unauthenticatedDatagrams, String io) implements NetworkState {

        Network {
            peers = List.copyOf(peers);
        }

        @Override
        public Optional<PeerState> peer(NodeAddress node) {
            return peers.stream().filter(p -> p.address().equals(node)).findFirst();
        }
    }
}
