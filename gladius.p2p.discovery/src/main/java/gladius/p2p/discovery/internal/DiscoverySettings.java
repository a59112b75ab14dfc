package gladius.p2p.discovery.internal;

import gladius.p2p.Contact;
import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.spi.SettingsReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code discovery.*} settings, checked once.
 *
 * @param seeds nodes added at start, with the key each must prove where one was given
 * @param interval time between rounds
 * @param fanout peers asked per round
 * @param maxPeers route-table size past which discovery adds nobody
 * @param unreachableAfter how long a node may stay unreachable before it is deleted
 * @param maxPerSubnet nodes of one IPv4 /24 or IPv6 /48 that discovery puts in the table
 * @param requestInterval the least time between two requests of one peer that this node answers
 */
record DiscoverySettings(List<Seed> seeds, Duration interval, int fanout, int maxPeers, Duration unreachableAfter,
                         int maxPerSubnet, Duration requestInterval) {

    /** A seed: its address, and the key it must prove there if the setting gave one ({@code KEYHEX@HOST:PORT}). */
    record Seed(NodeAddress address, Optional<NodeKey> key) {
        static Seed parse(String text) {
            if (text.indexOf('@') >= 0) {
                Contact contact = Contact.parse(text);
                return new Seed(checked(contact.address()), Optional.of(contact.key()));
            }
            return new Seed(checked(NodeAddress.parse(text)), Optional.empty());
        }

        private static NodeAddress checked(NodeAddress address) {
            if (address.port() == 0) {
                throw new IllegalArgumentException("port 0");
            }
            return address;
        }

        @Override
        public String toString() {
            return key.map(k -> k + "@" + address).orElse(address.toString());
        }
    }

    static final String PREFIX = "discovery.";

    private static final Map<String, String> DEFAULTS = Map.of(
            "discovery.seeds", "",
            "discovery.interval", "1s",
            "discovery.fanout", "3",
            "discovery.max-peers", "64",
            "discovery.unreachable-after", "30s",
            "discovery.max-per-subnet", "2",
            "discovery.request-interval", "500ms");

    /** Every key this part reads, with its default ("" for none), for the provider's {@code defaults()}. */
    static Map<String, String> defaults() {
        return DEFAULTS;
    }

    static DiscoverySettings from(Map<String, String> settings) {
        SettingsReader r = SettingsReader.of(settings, PREFIX, DEFAULTS);
        DiscoverySettings s = new DiscoverySettings(
                r.list("discovery.seeds", Seed::parse, "host:port or KEYHEX@host:port"),
                r.duration("discovery.interval", Duration.ofMillis(10), Duration.ofHours(1)),
                r.integer("discovery.fanout", 1, 1024),
                r.integer("discovery.max-peers", 1, 1 << 20),
                r.duration("discovery.unreachable-after", Duration.ofMillis(100), Duration.ofDays(7)),
                r.integer("discovery.max-per-subnet", 1, 1 << 20),
                r.duration("discovery.request-interval", Duration.ZERO, Duration.ofHours(1)));
        if (s.unreachableAfter.compareTo(s.interval) < 0) {
            throw SettingsReader.invalid("discovery.unreachable-after",
                    "at least discovery.interval (" + s.interval.toMillis() + "ms)", s.unreachableAfter.toMillis() + "ms", null);
        }
        return s;
    }
}
