package gladius.p2p.discovery.internal;

import gladius.p2p.NodeAddress;
import gladius.p2p.spi.SettingsReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code discovery.*} settings, checked once.
 *
 * @param seeds nodes added at start
 * @param interval time between rounds
 * @param fanout peers asked per round
 * @param maxPeers route-table size past which discovery adds nobody
 * @param unreachableAfter how long a node may stay unreachable before it is deleted
 */
record DiscoverySettings(List<NodeAddress> seeds, Duration interval, int fanout, int maxPeers, Duration unreachableAfter) {

    static final String PREFIX = "discovery.";

    private static final Map<String, String> DEFAULTS = Map.of(
            "discovery.seeds", "",
            "discovery.interval", "1s",
            "discovery.fanout", "3",
            "discovery.max-peers", "64",
            "discovery.unreachable-after", "30s");

    /** Every key this part reads, with its default ("" for none), for the provider's {@code defaults()}. */
    static Map<String, String> defaults() {
        return DEFAULTS;
    }

    static DiscoverySettings from(Map<String, String> settings) {
        SettingsReader r = SettingsReader.of(settings, PREFIX, DEFAULTS);
        DiscoverySettings s = new DiscoverySettings(
                r.addresses("discovery.seeds"),
                r.duration("discovery.interval", Duration.ofMillis(10), Duration.ofHours(1)),
                r.integer("discovery.fanout", 1, 1024),
                r.integer("discovery.max-peers", 1, 1 << 20),
                r.duration("discovery.unreachable-after", Duration.ofMillis(100), Duration.ofDays(7)));
        if (s.unreachableAfter.compareTo(s.interval) < 0) {
            throw SettingsReader.invalid("discovery.unreachable-after",
                    "at least discovery.interval (" + s.interval.toMillis() + "ms)", s.unreachableAfter.toMillis() + "ms", null);
        }
        return s;
    }
}
