package gladius.p2p.pubsub.internal;

import gladius.p2p.spi.SettingsReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code pubsub.*} settings, checked once.
 *
 * @param core the router's rules
 * @param topics topics subscribed from the start, with no handler: the node takes part in their
 *     meshes (forwards, gossips) for the application or the command line to read
 */
record PubSubSettings(Router.Config core, List<String> topics) {

    static final String PREFIX = "pubsub.";

    /** The kcp transport's largest message body by default (its setting {@code kcp.max-message-bytes}). */
    private static final int TRANSPORT_DEFAULT = 1024 * 1024;

    /** Room a message's other fields and frames need beside the data of a PUBLISH. */
    private static final int FRAMING = 4096;

    private static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("pubsub.topics", ""),
            Map.entry("pubsub.d", "6"),
            Map.entry("pubsub.d-lo", "4"),
            Map.entry("pubsub.d-hi", "12"),
            Map.entry("pubsub.d-lazy", "6"),
            Map.entry("pubsub.heartbeat", "1s"),
            Map.entry("pubsub.mcache-length", "5"),
            Map.entry("pubsub.mcache-gossip", "3"),
            Map.entry("pubsub.seen-ttl", "2m"),
            Map.entry("pubsub.max-seen", "65536"),
            Map.entry("pubsub.fanout-ttl", "60s"),
            Map.entry("pubsub.prune-backoff", "60s"),
            Map.entry("pubsub.scores", "true"),
            Map.entry("pubsub.idontwant-bytes", "1024"),
            Map.entry("pubsub.mesh-by-latency", "4"),
            Map.entry("pubsub.message-id", "content"),
            Map.entry("pubsub.lazy-links", "off"),
            Map.entry("pubsub.eager-links", "2"),
            Map.entry("pubsub.lazy-timeout", "200ms"),
            Map.entry("pubsub.max-message-bytes", Integer.toString(Router.MAX_DATA_BYTES)));

    /** Every key this part reads, with its default ("" for none). */
    static Map<String, String> defaults() {
        return DEFAULTS;
    }

    static PubSubSettings from(Map<String, String> settings) {
        SettingsReader r = SettingsReader.of(settings, PREFIX, DEFAULTS);
        int d = r.integer("pubsub.d", 1, 64);
        int dLo = r.integer("pubsub.d-lo", 1, 64);
        int dHi = r.integer("pubsub.d-hi", 1, 256);
        if (dLo > d || d > dHi) {
            throw SettingsReader.invalid("pubsub.d", "between pubsub.d-lo (" + dLo + ") and pubsub.d-hi (" + dHi + ")",
                    Integer.toString(d), null);
        }
        int mcacheLength = r.integer("pubsub.mcache-length", 1, 64);
        int mcacheGossip = r.integer("pubsub.mcache-gossip", 0, 64);
        if (mcacheGossip > mcacheLength) {
            throw SettingsReader.invalid("pubsub.mcache-gossip", "at most pubsub.mcache-length (" + mcacheLength + ")",
                    Integer.toString(mcacheGossip), null);
        }
        String ids = r.text("pubsub.message-id");
        if (!List.of("content", "author-sequence").contains(ids)) {
            throw SettingsReader.invalid("pubsub.message-id", "content or author-sequence", ids, null);
        }
        if (ids.equals("author-sequence") && !"true".equals(settings.getOrDefault("kcp.secure", "false").trim())) {
            // Without keys a message has no author to tell its sequence numbers apart by.
            throw SettingsReader.invalid("pubsub.message-id", "content, unless kcp.secure=true (an author-sequence ID needs the"
                    + " author's key)", ids, null);
        }
        String lazy = r.text("pubsub.lazy-links");
        if (!List.of("off", "topic", "source").contains(lazy)) {
            throw SettingsReader.invalid("pubsub.lazy-links", "off, topic or source", lazy, null);
        }
        int transport = TRANSPORT_DEFAULT;
        try {
            transport = Integer.parseInt(settings.getOrDefault("kcp.max-message-bytes", "").trim());
        } catch (NumberFormatException unsetOrBad) {
            // Unset: the transport's default. Bad: the transport names its own setting.
        }
        int wire = Math.max(FRAMING, Math.min(Wire.MAX_MESSAGE, transport));
        int maxData = r.integer("pubsub.max-message-bytes", 0, Integer.MAX_VALUE);
        if (maxData > wire - FRAMING) {
            throw SettingsReader.invalid("pubsub.max-message-bytes", "at most " + (wire - FRAMING)
                    + " (kcp.max-message-bytes, or pubsub's own limit, less " + FRAMING + " for the framing)", Integer.toString(maxData), null);
        }
        long heartbeat = r.duration("pubsub.heartbeat", Duration.ofMillis(10), Duration.ofMinutes(1)).toMillis();
        Router.Config core = new Router.Config(d, dLo, dHi,
                r.integer("pubsub.d-lazy", 0, 256),
                heartbeat,
                mcacheLength,
                mcacheGossip,
                r.duration("pubsub.seen-ttl", Duration.ofSeconds(1), Duration.ofDays(1)).toMillis(),
                r.integer("pubsub.max-seen", 1, 1 << 24),
                r.duration("pubsub.fanout-ttl", Duration.ofSeconds(1), Duration.ofDays(1)).toMillis(),
                r.duration("pubsub.prune-backoff", Duration.ofSeconds(1), Duration.ofHours(18)).toMillis(),
                Router.Config.defaults().unsubscribeBackoffMillis(),
                Router.Config.defaults().maxIWantPerHeartbeat(),
                !lazy.equals("off"),
                r.integer("pubsub.eager-links", 1, 64),
                r.duration("pubsub.lazy-timeout", Duration.ofMillis(1), Duration.ofMinutes(1)).toMillis(),
                lazy.equals("source"),
                maxData,
                wire,
                r.bool("pubsub.scores") ? Scores.Params.defaults() : null,
                r.integer("pubsub.idontwant-bytes", 0, Integer.MAX_VALUE),
                // Unset: all but two of D (gossipsub's D_score is 4 of 6, D_out 2), so a smaller D never refuses its own default.
                settings.containsKey("pubsub.mesh-by-latency") ? r.integer("pubsub.mesh-by-latency", 0, d) : Math.max(0, d - 2),
                ids.equals("author-sequence"));
        List<String> topics = r.list("pubsub.topics", PubSubPlugin::checkTopic, "topics of 1 to 255 bytes of UTF-8");
        return new PubSubSettings(core, topics);
    }
}
