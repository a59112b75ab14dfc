package gladius.p2p.node;

import gladius.p2p.Figure;
import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;

/** What a node prints about itself: a one-line status and a longer report for {@code gladius status}. */
final class Report {

    private Report() {}

    /** {@code peers 2/2  in 120  out 130  dropped 0  rtt 1.2 ms  state 3 [1a2b3c4d]} */
    static String line(Network network) {
        return line(network, network.networkState());
    }

    /** The same from a snapshot already taken. */
    private static String line(Network network, NetworkState state) {
        long table = state.peers().stream().filter(PeerState::inRouteTable).count();
        long connected = state.peers().stream().filter(p -> p.inRouteTable() && p.connected()).count();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "peers %d/%d  in %d  out %d  dropped %d",
                connected, table, state.messagesReceived(), state.messagesSent(), state.messagesDropped()));
        if (state.malformedInputs() + state.checksumFailures() > 0) {
            line.append("  malformed ").append(state.malformedInputs() + state.checksumFailures());
        }
        if (Parts.latency()) {
            Optional<Duration> median = LatencyView.medianOfMedians(network);
            line.append("  probe rtt ").append(median.map(Report::millis).orElse("-"));
        }
        if (Parts.ethstate() && EthStateView.of(network).isPresent()) {
            line.append("  state ").append(EthStateView.entries(network)).append(" [").append(EthStateView.fingerprint(network)).append(']');
        }
        if (Parts.pubsub()) {
            PubSubView.summary(network).ifPresent(topics -> line.append("  ").append(topics));
        }
        return line.toString();
    }

    /** Every peer with its figures, under the node's own line. */
    static String full(Network network) {
        return full(network, null);
    }

    /**
     * The same for someone who asked: the asker's own session (a {@code gladius status} that
     * opened it just to ask) is not one of the node's peers, so it is left out.
     */
    static String full(Network network, NodeAddress asker) {
        NetworkState state = network.networkState(); // one snapshot for the whole report
        StringBuilder out = new StringBuilder("node ").append(network.localAddress());
        java.util.List<NodeAddress> seenAs = state.observedAddresses();
        if (!seenAs.isEmpty()) {
            out.append("  seen as ").append(seenAs.get(0)); // where its peers see its datagrams come from (NAT)
        }
        if (Parts.ethstate()) {
            EthStateView.address(network).ifPresent(address -> out.append("  eth ").append(address));
        }
        out.append('\n').append(line(network, state)).append('\n');
        out.append(figures(state)).append('\n');
        if (state.relayCircuits() + state.relayedDatagrams() + state.relayDrops() > 0) {
            out.append(String.format(Locale.ROOT, "relaying: %d pairs now, %d datagrams (%d B) forwarded, %d refused%n",
                    state.relayCircuits(), state.relayedDatagrams(), state.relayedBytes(), state.relayDrops()));
        }
        state.peers().stream().filter(peer -> !peer.address().equals(asker))
                .sorted(Comparator.comparing(PeerState::address)).forEach(peer ->
                out.append(String.format(Locale.ROOT, "  %-22s %-9s %-8s srtt %-8s in %-7d out %-7d queued %-5d %s%n",
                        peer.address(), peer.inRouteTable() ? "table" : "inbound", peer.connected() ? "up" : "down",
                        millis(peer.smoothedRtt()), peer.messagesReceived(), peer.messagesSent(), peer.queuedMessages(),
                        !peer.connected() ? "" : peer.relay().map(relay -> "via " + relay).orElse("direct")).stripTrailing()
                        + "\n"));
        out.append(RTT_LEGEND);
        return out.toString();
    }

    /**
     * Every figure of the snapshot that is not 0, by the name {@code NetworkState.figures()} gives
     * it: {@code figures: messagesSent 120, messagesReceived 130, bytesSent 41210, ...}.
     */
    static String figures(NetworkState state) {
        StringJoiner line = new StringJoiner(", ", "figures: ", "");
        for (Figure figure : NetworkState.figures()) {
            long value = figure.of(state);
            if (value != 0) {
                line.add(figure.name() + " " + value);
            }
        }
        return line.toString();
    }

    /** What the two round-trip figures are, under every full report. */
    static final String RTT_LEGEND = "probe rtt: median over peers of the latency plugin's median probe round trip (its "
            + "messages, through the plugins); srtt: the transport's smoothed round trip per peer (KCP acknowledgements, "
            + "whole ms, 0.0 before the first sample)\n";

    static String millis(Duration d) {
        return String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }
}
