package gladius.p2p.node;

import gladius.p2p.Figure;
import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.discovery.DiscoveryService;
import gladius.p2p.ethstate.Entry;
import gladius.p2p.latency.PeerLatency;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the live page ({@code --http}) shows, as JSON: per node every figure of its state (by the
 * name {@code NetworkState.figures()} gives it), its peers with their round trips, the nodes
 * discovery knows, and (the first {@value #MAX_ENTRIES}) signed entries. One snapshot per node;
 * the page computes rates and keeps the history.
 */
final class LiveState {

    /** Entries listed per node; the page says how many more there are. */
    static final int MAX_ENTRIES = 50;

    private LiveState() {}

    static String json(List<Network> networks) {
        StringBuilder out = new StringBuilder("{\"time\":").append(System.currentTimeMillis()).append(",\"nodes\":[");
        boolean first = true;
        for (Network network : networks) {
            NetworkState state;
            try {
                state = network.networkState();
            } catch (IllegalStateException closed) {
                continue;
            }
            out.append(first ? "" : ",");
            first = false;
            node(out, network, state);
        }
        return out.append("]}").toString();
    }

    private static void node(StringBuilder out, Network network, NetworkState state) {
        out.append("{\"address\":").append(text(state.localAddress().toString()))
                .append(",\"seenAs\":").append(text(state.observedAddresses().isEmpty() ? "" : state.observedAddresses().get(0).toString()));
        for (Figure figure : NetworkState.figures()) {
            out.append(",\"").append(figure.name()).append("\":").append(figure.of(state));
        }
        Map<NodeAddress, PeerLatency> probes = new HashMap<>();
        if (Parts.latency()) {
            LatencyView.peers(network).forEach(p -> probes.put(p.peer(), p));
        }
        out.append(",\"peers\":[");
        boolean first = true;
        for (PeerState peer : state.peers()) {
            PeerLatency probe = probes.get(peer.address());
            out.append(first ? "" : ",").append("{\"address\":").append(text(peer.address().toString()))
                    .append(",\"up\":").append(peer.connected())
                    .append(",\"inTable\":").append(peer.inRouteTable())
                    .append(",\"inbound\":").append(peer.inbound())
                    .append(",\"relay\":").append(text(peer.relay().map(NodeAddress::toString).orElse("")))
                    .append(",\"srttMs\":").append(peer.smoothedRtt().toMillis())
                    .append(",\"probeMs\":").append(probe == null || probe.samples() == 0 ? "null"
                            : String.format(Locale.ROOT, "%.3f", probe.median().toNanos() / 1e6))
                    .append(",\"sent\":").append(peer.messagesSent())
                    .append(",\"received\":").append(peer.messagesReceived())
                    .append(",\"resent\":").append(peer.retransmissions())
                    .append(",\"queued\":").append(peer.queuedMessages()).append('}');
            first = false;
        }
        out.append("],\"known\":[");
        if (Parts.has("gladius.p2p.discovery")) {
            first = true;
            for (NodeAddress known : network.plugin(DiscoveryService.class).map(DiscoveryService::knownPeers).orElse(Set.of())) {
                out.append(first ? "" : ",").append(text(known.toString()));
                first = false;
            }
        }
        out.append("],\"entries\":[");
        int total = 0;
        if (Parts.ethstate()) {
            List<Entry> entries = EthStateView.of(network).map(s -> s.snapshot()).orElse(List.of());
            total = entries.size();
            first = true;
            for (Entry entry : entries.subList(0, Math.min(MAX_ENTRIES, entries.size()))) {
                out.append(first ? "" : ",").append("{\"signer\":").append(text(entry.address()))
                        .append(",\"key\":").append(text(entry.key()))
                        .append(",\"value\":").append(text(EthStateView.valueText(entry.value()))).append('}');
                first = false;
            }
        }
        out.append("],\"entryCount\":").append(total).append('}');
    }

    /** A JSON string: quotes, backslashes and control characters escaped. */
    static String text(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '<' -> out.append("\\u003c"); // never closes a script element, wherever the text lands
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** The page itself, from this module's resources. */
    static String page() {
        try (InputStream in = LiveState.class.getResourceAsStream("live.html")) {
            if (in == null) {
                throw new IllegalStateException("live.html is missing from the gladius.p2p.node module");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
