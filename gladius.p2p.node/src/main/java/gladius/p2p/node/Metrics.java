package gladius.p2p.node;

import gladius.p2p.Figure;
import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.PeerState;
import gladius.p2p.dht.DhtService;
import gladius.p2p.dht.DhtStats;
import gladius.p2p.discovery.DiscoveryService;
import gladius.p2p.ethstate.EthState;
import gladius.p2p.ethstate.Rejection;
import gladius.p2p.latency.PeerLatency;
import gladius.p2p.pubsub.PubSub;
import gladius.p2p.pubsub.PubSubStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Nodes' figures in the Prometheus text exposition format, version 0.0.4: what {@code --metrics}
 * serves at {@code /metrics}. Names follow Prometheus's conventions: {@code gladius_} prefix,
 * {@code _total} on counters, seconds and bytes as base units; every sample has a {@code node}
 * label (the node's address), per-peer samples a {@code peer} label: the {@value #MAX_PEER_SERIES}
 * peers with the most messages each have their own, the rest are summed under
 * {@code peer="other"}, so that peers (whoever dials in) cannot make a node's series grow without
 * bound in Prometheus. One snapshot per node per scrape. docs/OBSERVABILITY.md lists the names.
 */
final class Metrics {

    /** Peers of one node with series of their own; the others are summed as {@code peer="other"}. */
    static final int MAX_PEER_SERIES = 64;

    private Metrics() {}

    /** One metric family: its samples, written after its HELP and TYPE lines. */
    private record Family(String name, String type, String help, List<String> samples) {
        Family(String name, String type, String help) {
            this(name, type, help, new ArrayList<>());
        }

        void add(Map<String, String> labels, double value) {
            StringBuilder line = new StringBuilder(name);
            if (!labels.isEmpty()) {
                line.append('{');
                labels.forEach((key, text) -> line.append(key).append("=\"").append(escape(text)).append("\","));
                line.setLength(line.length() - 1);
                line.append('}');
            }
            samples.add(line.append(' ').append(number(value)).toString());
        }
    }

    /** The exposition for these nodes. */
    static String text(List<Network> networks) {
        Map<String, Family> families = new LinkedHashMap<>();
        for (Network network : networks) {
            NetworkState state;
            try {
                state = network.networkState();
            } catch (IllegalStateException closed) {
                continue; // closed or not listening: nothing to show
            }
            Map<String, String> node = Map.of("node", state.localAddress().toString());
            transport(families, node, state);
            plugins(families, node, network);
        }
        StringBuilder out = new StringBuilder();
        for (Family family : families.values()) {
            out.append("# HELP ").append(family.name).append(' ').append(family.help).append('\n');
            out.append("# TYPE ").append(family.name).append(' ').append(family.type).append('\n');
            family.samples.forEach(sample -> out.append(sample).append('\n'));
        }
        return out.toString();
    }

    /** One figure of a peer: its name, type, help, and how to read it from a snapshot. */
    private record PeerFigure<T>(String name, String type, String help, ToDoubleFunction<T> value) {}

    /**
     * A node's figure as Prometheus names it: {@code gladius_}, the name in snake case with its
     * unit last, {@code _total} on a counter ({@code bytesSent}: {@code gladius_sent_bytes_total}).
     */
    static String name(Figure figure) {
        List<String> words = new ArrayList<>(List.of(figure.name().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT).split("_")));
        if (figure.unit() == Figure.Unit.BYTES) {
            words.remove("bytes");
            words.add("bytes");
        }
        return "gladius_" + String.join("_", words) + (figure.kind() == Figure.Kind.COUNTER ? "_total" : "");
    }

    private static String type(Figure figure) {
        return figure.kind() == Figure.Kind.COUNTER ? COUNTER : GAUGE;
    }

    private static final String COUNTER = "counter";
    private static final String GAUGE = "gauge";

    private static final List<PeerFigure<PeerState>> PEER = List.of(
            new PeerFigure<>("gladius_peer_up", GAUGE, "1 if a session with the peer is established, else 0.",
                    peer -> peer.connected() ? 1 : 0),
            new PeerFigure<>("gladius_peer_relayed", GAUGE, "1 if the session goes through a relay, else 0.",
                    peer -> peer.relay().isPresent() ? 1 : 0),
            new PeerFigure<>("gladius_peer_smoothed_rtt_seconds", GAUGE, "The transport's smoothed round trip to the peer.",
                    peer -> seconds(peer.smoothedRtt())),
            new PeerFigure<>("gladius_peer_messages_sent_total", COUNTER, "Messages sent to the peer.", PeerState::messagesSent),
            new PeerFigure<>("gladius_peer_messages_received_total", COUNTER, "Messages received from the peer.",
                    PeerState::messagesReceived),
            new PeerFigure<>("gladius_peer_retransmissions_total", COUNTER, "Segments sent to the peer again.",
                    PeerState::retransmissions),
            new PeerFigure<>("gladius_peer_queued_messages", GAUGE, "Messages waiting for the peer.", PeerState::queuedMessages));

    private static void transport(Map<String, Family> families, Map<String, String> node, NetworkState state) {
        for (Figure figure : NetworkState.figures()) {
            families.computeIfAbsent(name(figure), n -> new Family(n, type(figure), figure.help())).add(node, figure.of(state));
        }
        List<PeerState> peers = new ArrayList<>(state.peers());
        peers.sort(Comparator.comparingLong((PeerState p) -> p.messagesSent() + p.messagesReceived()).reversed()
                .thenComparing(PeerState::address));
        for (PeerState peer : peers.subList(0, Math.min(MAX_PEER_SERIES, peers.size()))) {
            Map<String, String> labels = with(node, "peer", peer.address().toString());
            for (PeerFigure<PeerState> figure : PEER) {
                add(families, labels, figure, peer);
            }
        }
        if (peers.size() > MAX_PEER_SERIES) {
            // Sums: counters, and gauges that count (up, relayed, queued); a round trip does not add up, and is left out.
            List<PeerState> rest = peers.subList(MAX_PEER_SERIES, peers.size());
            Map<String, String> other = with(node, "peer", "other");
            for (PeerFigure<PeerState> figure : PEER) {
                if (!figure.name().equals("gladius_peer_smoothed_rtt_seconds")) {
                    double sum = rest.stream().mapToDouble(figure.value()).sum();
                    families.computeIfAbsent(figure.name(), n -> new Family(n, figure.type(), figure.help())).add(other, sum);
                }
            }
        }
    }

    private static <T> void add(Map<String, Family> families, Map<String, String> labels, PeerFigure<T> figure, T from) {
        families.computeIfAbsent(figure.name(), n -> new Family(n, figure.type(), figure.help()))
                .add(labels, figure.value().applyAsDouble(from));
    }

    private static void plugins(Map<String, Family> families, Map<String, String> node, Network network) {
        if (Parts.has("gladius.p2p.discovery")) {
            network.plugin(DiscoveryService.class).ifPresent(discovery -> {
                gauge(families, node, "gladius_discovery_known_peers", "Peers in discovery's table.",
                        discovery.knownPeers().size());
                counter(families, node, "gladius_discovery_malformed_messages_total", "Discovery messages that could not be parsed.",
                        discovery.malformedMessages());
                counter(families, node, "gladius_discovery_unsolicited_answers_total", "Discovery answers nobody asked for.",
                        discovery.unsolicitedAnswers());
                counter(families, node, "gladius_discovery_refused_nodes_total",
                        "Nodes named in answers or asking that discovery did not add (address, record, block or table).",
                        discovery.refusedNodes());
                counter(families, node, "gladius_discovery_unanswered_requests_total",
                        "Discovery requests dropped for coming too soon after the same peer's last one.", discovery.unansweredRequests());
            });
        }
        if (Parts.latency()) {
            for (PeerLatency peer : LatencyView.peers(network)) {
                Map<String, String> labels = with(node, "peer", peer.peer().toString());
                Map<String, ToDoubleFunction<PeerLatency>> percentiles = new LinkedHashMap<>();
                percentiles.put("50", p -> seconds(p.median()));
                percentiles.put("90", p -> seconds(p.p90()));
                percentiles.put("99", p -> seconds(p.p99()));
                if (peer.samples() > 0) {
                    // A percentile label, not "quantile": that one is reserved for summaries, and the
                    // plugin keeps percentiles over its window, not a summary's sum and count.
                    percentiles.forEach((percentile, value) -> gauge(families, with(labels, "percentile", percentile),
                            "gladius_latency_probe_rtt_seconds",
                            "Round trip of the latency plugin's probes (through both nodes' plugins), by percentile over its window.",
                            value.applyAsDouble(peer)));
                }
                gauge(families, labels, "gladius_latency_probe_loss_ratio", "Share of the latency plugin's probes lost, over its window.",
                        peer.lossRatio());
                counter(families, labels, "gladius_latency_probes_sent_total", "Latency probes sent to the peer.", peer.probesSent());
            }
        }
        if (Parts.ethstate()) {
            EthStateView.of(network).ifPresent(ethstate -> ethstate(families, node, ethstate));
        }
        if (Parts.dht()) {
            network.plugin(DhtService.class).ifPresent(dht -> dht(families, node, dht.stats()));
        }
        if (Parts.pubsub()) {
            network.plugin(PubSub.class).ifPresent(pubsub -> pubsub(families, node, pubsub.stats()));
        }
    }

    private static void pubsub(Map<String, Family> families, Map<String, String> node, PubSubStats pubsub) {
        gauge(families, node, "gladius_pubsub_topics", "Topics this node subscribes to.", pubsub.topics());
        gauge(families, node, "gladius_pubsub_peers", "Peers known to run pubsub.", pubsub.peers());
        gauge(families, node, "gladius_pubsub_mesh_peers", "Mesh places over all topics.", pubsub.meshPeers());
        counter(families, node, "gladius_pubsub_published_total", "Messages this node published.", pubsub.published());
        counter(families, node, "gladius_pubsub_delivered_total", "Messages delivered to this node's handlers.", pubsub.delivered());
        counter(families, node, "gladius_pubsub_forwarded_total", "Copies of others' messages passed on to mesh peers.", pubsub.forwarded());
        counter(families, node, "gladius_pubsub_duplicates_total", "Copies received of messages already seen.", pubsub.duplicates());
        Map<String, Long> dropped = new LinkedHashMap<>();
        dropped.put("malformed", pubsub.malformed());
        dropped.put("rejected", pubsub.rejected());
        dropped.put("ignored", pubsub.ignored());
        dropped.put("refused", pubsub.refused());
        dropped.put("graylisted", pubsub.graylisted());
        dropped.forEach((reason, n) -> counter(families, with(node, "reason", reason), "gladius_pubsub_dropped_total",
                "Pubsub messages and frames dropped, by reason.", n));
        counter(families, node, "gladius_pubsub_grafts_total", "GRAFTs sent.", pubsub.grafts());
        counter(families, node, "gladius_pubsub_prunes_total", "PRUNEs sent.", pubsub.prunes());
        counter(families, node, "gladius_pubsub_ihave_sent_total", "IHAVE frames sent (gossip).", pubsub.ihaveSent());
        counter(families, node, "gladius_pubsub_iwant_sent_total", "Message IDs asked for (IWANT).", pubsub.iwantSent());
        counter(families, node, "gladius_pubsub_served_from_cache_total", "Messages sent from the cache in answer to IWANT.",
                pubsub.servedFromCache());
        counter(families, node, "gladius_pubsub_handler_failures_total", "Handlers and validators that threw.", pubsub.handlerFailures());
    }

    private static void dht(Map<String, Family> families, Map<String, String> node, DhtStats dht) {
        gauge(families, node, "gladius_dht_known_nodes", "Nodes in the DHT's routing table.", dht.knownNodes());
        gauge(families, node, "gladius_dht_records", "DHT records kept for others.", dht.records());
        gauge(families, node, "gladius_dht_providers", "DHT provider entries kept for others.", dht.providers());
        gauge(families, node, "gladius_dht_record_bytes", "Bytes of the DHT records kept.", dht.recordBytes());
        counter(families, node, "gladius_dht_lookups_total", "DHT lookups started.", dht.lookups());
        counter(families, node, "gladius_dht_requests_sent_total", "DHT requests sent.", dht.requestsSent());
        counter(families, node, "gladius_dht_request_timeouts_total", "DHT requests that went unanswered.", dht.timeouts());
        counter(families, node, "gladius_dht_requests_served_total", "DHT requests answered.", dht.requestsServed());
        Map<String, Long> dropped = new LinkedHashMap<>();
        dropped.put("malformed", dht.malformed());
        dropped.put("unsolicited", dht.unsolicited());
        dropped.put("invalid_record", dht.invalidRecords());
        dropped.put("invalid_entry", dht.invalidEntries());
        dropped.forEach((reason, n) -> counter(families, with(node, "reason", reason), "gladius_dht_dropped_total",
                "DHT messages, records and node entries dropped, by reason.", n));
        counter(families, with(node, "reason", "subnet"), "gladius_dht_refused_total",
                "Nodes and records the DHT refused: nodes by the subnet limits, records and providers for room.", dht.refusedBySubnet());
        counter(families, with(node, "reason", "room"), "gladius_dht_refused_total",
                "Nodes and records the DHT refused: nodes by the subnet limits, records and providers for room.", dht.refusedForRoom());
        counter(families, node, "gladius_dht_data_dir_failures_total", "Failed reads and writes of the DHT's data directory.",
                dht.dataDirFailures());
    }

    private static void ethstate(Map<String, Family> families, Map<String, String> node, EthState ethstate) {
        gauge(families, node, "gladius_ethstate_entries", "Signed state entries held.", ethstate.size());
        counter(families, node, "gladius_ethstate_superseded_total", "Validly signed entries older than the version held.",
                ethstate.superseded());
        Map<Rejection, Long> rejections = ethstate.rejections();
        for (Rejection reason : Rejection.values()) {
            counter(families, with(node, "reason", reason.name().toLowerCase(Locale.ROOT)), "gladius_ethstate_rejections_total",
                    "Received entries not applied, by reason.", rejections.getOrDefault(reason, 0L));
        }
    }

    private static void counter(Map<String, Family> families, Map<String, String> labels, String name, String help, double value) {
        families.computeIfAbsent(name, n -> new Family(n, COUNTER, help)).add(labels, value);
    }

    private static void gauge(Map<String, Family> families, Map<String, String> labels, String name, String help, double value) {
        families.computeIfAbsent(name, n -> new Family(n, GAUGE, help)).add(labels, value);
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(labels);
        more.put(key, value);
        return more;
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    /** Integers as integers, the rest in Java's shortest round-tripping form (both are valid Go floats). */
    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    /** Label values escape backslash, double quote and newline (the text format's rule). */
    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
