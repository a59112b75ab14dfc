package gladius.p2p.dht.internal;

import gladius.p2p.NodeAddress;
import gladius.p2p.spi.SettingsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code dht.*} settings, checked once.
 *
 * @param core the core's rules
 * @param seeds nodes asked first, besides the route table's
 * @param ipLimits whether the subnet limits apply (off for test networks whose nodes share a /24)
 * @param recordTtl how long this node's records live; they are republished every {@code republishInterval}
 * @param republishInterval how often this node puts its records and provider entries again
 * @param signer the key that signs this node's records
 * @param dataDir where the records and the routing table are kept across restarts, if anywhere
 */
record DhtSettings(Kademlia.Config core, List<NodeAddress> seeds, boolean ipLimits, Duration recordTtl,
                   Duration republishInterval, Signer signer, Optional<Path> dataDir) {

    static final String PREFIX = "dht.";

    private static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("dht.seeds", ""),
            Map.entry("dht.k", "20"),
            Map.entry("dht.alpha", "3"),
            Map.entry("dht.paths", "3"),
            Map.entry("dht.quorum", "3"),
            Map.entry("dht.request-timeout", "1s"),
            Map.entry("dht.refresh-interval", "10m"),
            Map.entry("dht.record-ttl", "24h"),
            Map.entry("dht.provider-ttl", "24h"),
            Map.entry("dht.republish-interval", "12h"),
            Map.entry("dht.max-records", "65536"),
            Map.entry("dht.max-bytes", "67108864"),
            Map.entry("dht.ip-limits", "true"),
            Map.entry("dht.key", ""),
            Map.entry("dht.data-dir", ""));

    /** Every key this part reads, with its default ("" for none). */
    static Map<String, String> defaults() {
        return DEFAULTS;
    }

    static DhtSettings from(Map<String, String> settings) {
        SettingsReader r = SettingsReader.of(settings, PREFIX, DEFAULTS);
        int k = r.integer("dht.k", 1, Wire.MAX_ENTRIES);
        Duration recordTtl = r.duration("dht.record-ttl", Duration.ofSeconds(1), Duration.ofDays(7));
        Duration providerTtl = r.duration("dht.provider-ttl", Duration.ofSeconds(1), Duration.ofDays(7));
        Duration republish = r.duration("dht.republish-interval", Duration.ofMillis(100), Duration.ofDays(7));
        if (republish.compareTo(recordTtl) >= 0 || republish.compareTo(providerTtl) >= 0) {
            throw SettingsReader.invalid("dht.republish-interval", "less than dht.record-ttl and dht.provider-ttl",
                    republish.toMillis() + "ms", null);
        }
        Kademlia.Config core = new Kademlia.Config(
                k,
                r.integer("dht.alpha", 1, 16),
                r.integer("dht.paths", 1, 16),
                r.integer("dht.quorum", 1, k),
                r.duration("dht.request-timeout", Duration.ofMillis(10), Duration.ofMinutes(1)).toMillis(),
                r.duration("dht.refresh-interval", Duration.ofSeconds(1), Duration.ofDays(1)).toMillis(),
                recordTtl.toMillis() + 60_000, // a writer's clock may run a minute ahead of ours
                providerTtl.toMillis(),
                r.integer("dht.max-records", 0, 1 << 24),
                r.longValue("dht.max-bytes", 0, 1L << 40),
                20, 2, 2, 10);
        Optional<Path> dataDir = r.optional("dht.data-dir").map(text -> r.parse("dht.data-dir", Path::of, "a directory"));
        return new DhtSettings(core, r.addresses("dht.seeds"), r.bool("dht.ip-limits"), recordTtl, republish,
                signer(r, settings), dataDir);
    }

    /**
     * dht.key, else the node's own key (kcp.node-key), else a fresh one: 64 hex digits or a file
     * holding them. Never echoed in errors.
     */
    private static Signer signer(SettingsReader r, Map<String, String> settings) {
        Optional<String> own = r.optional("dht.key");
        String key = own.isPresent() ? "dht.key" : "kcp.node-key";
        Optional<String> given = own.or(() -> Optional.ofNullable(settings.get("kcp.node-key")).map(String::trim)
                .filter(s -> !s.isEmpty()));
        if (given.isEmpty()) {
            return Signer.generate(new SecureRandom());
        }
        String text = given.get();
        if (!text.matches("(0x)?[0-9a-fA-F]{64}")) {
            if (text.matches("(0x)?[0-9a-fA-F]+")) {
                throw new IllegalArgumentException("setting " + key + " must be 64 hex digits (a secret key)");
            }
            try {
                text = Files.readString(Path.of(text)).trim();
            } catch (IOException | InvalidPathException e) {
                throw new IllegalArgumentException("setting " + key + " must be 64 hex digits or a readable file holding them: "
                        + "cannot read " + given.get() + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        String digits = text.startsWith("0x") ? text.substring(2) : text;
        if (!digits.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("setting " + key + " must be 64 hex digits (a secret key)");
        }
        return Signer.fromSecret(HexFormat.of().parseHex(digits));
    }
}
