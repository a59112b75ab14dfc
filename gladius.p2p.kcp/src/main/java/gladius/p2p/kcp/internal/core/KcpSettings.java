package gladius.p2p.kcp.internal.core;

import gladius.p2p.kcp.internal.secure.CipherSuite;
import gladius.p2p.kcp.internal.secure.NodeIdentity;
import gladius.p2p.spi.SettingsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code kcp.*} settings, parsed and checked once. Defaults are KCP's fast mode (nodelay on,
 * 10 ms interval, fast resend after 2 skips, KCP's congestion window off) with the sender's own
 * overload back-off on.
 *
 * <p>Durations are written {@code 250ms}, {@code 5s}, {@code 2m}, or ISO-8601 ({@code PT5S}).
 *
 * @param interval KCP's internal update interval
 * @param nodelay KCP nodelay mode (a segment's first resend without KCP's extra eighth of RTO, later ones sooner)
 * @param fastResend resend a segment after this many later ones were acknowledged; 0 turns it off
 * @param congestionControl KCP's congestion window on or off
 * @param sendWindow send window, in segments
 * @param receiveWindow receive window, in segments
 * @param mtu the largest datagram this node sends, in bytes, headers included
 * @param maxMessageBytes the largest message body, in bytes
 * @param queueCapacity messages waiting per peer before more are dropped
 * @param keepalive how long a session may be silent before this node sends a ping
 * @param deadPeerTimeout how long without any datagram before a session is declared dead
 * @param connectTimeout how long a dial may wait for the other side's answer
 * @param redialMin first wait before redialing a route-table node
 * @param redialMax longest wait between redials
 * @param maxSessions sessions this node holds at once; more HELLOs are refused
 * @param dispatchBytes received bytes waiting for the plugins before this node stops reading
 * @param eventLoopThreads 0 to share the process-wide I/O threads, else a private group this size
 * @param secure sessions open with a Noise XX handshake and every datagram is sealed
 * @param nodeKey this node's identity for secure sessions: the X25519 key its handshakes prove and the Ed25519 key that
 *     signs its record, both from one secret (fresh if none was given); null in plain mode
 * @param allowKeys static public keys (hex) allowed to open a secure session; empty allows any
 * @param cipher the cipher suite this node's secure dials use (kcp.cipher: aes-gcm, chacha20-poly1305, or auto:
 *     AES-GCM where the JVM runs AES on the CPU's instructions); as a responder it follows the dialer's
 * @param rekeyAfterDatagrams a secure session moves to its next key after this many datagrams
 * @param rekeyAfter ... or after this long, whichever comes first
 * @param maxSessionsPerIp sessions with one remote IP address at once
 * @param handshakesPerSecond new sessions other nodes may open per second; more HELLOs are dropped
 * @param maxQueuedBytes bytes of frames waiting per peer before more are dropped
 * @param minRto the retransmission timeout never goes below this
 * @param overloadBackoff the sender shrinks its window when round trips say the receiver or path is
 *     queueing, raises the timeout's floor with the measured delay, and backs off after a timeout
 *     (SendControl)
 * @param io the socket implementation: auto (native epoll where it loads, else NIO), epoll or nio
 * @param relay this node forwards datagrams between peers that cannot reach each other directly
 *     (behind NATs), and says so in its pings
 * @param relayCircuits pairs of peers a relaying node serves at once
 * @param relayCircuitsPerPeer circuits one peer may open through a relaying node at once
 * @param relayBytesPerSecond bytes per second a relaying node forwards for one pair, both ways together
 * @param relayTotalBytesPerSecond bytes per second a relaying node forwards for all pairs together
 * @param relayReservations peers a relaying node carries sessions to at once (their reservations)
 * @param reservations relays a node behind a NAT asks to carry sessions to it; 0: none
 * @param jmx a listening network registers its figures on the platform MBean server
 */
public record KcpSettings(Duration interval, boolean nodelay, int fastResend, boolean congestionControl,
                          int sendWindow, int receiveWindow, int mtu, int maxMessageBytes, int queueCapacity,
                          Duration keepalive, Duration deadPeerTimeout, Duration connectTimeout,
                          Duration redialMin, Duration redialMax, int maxSessions, long dispatchBytes,
                          int eventLoopThreads, boolean secure, NodeIdentity nodeKey, Set<String> allowKeys,
                          CipherSuite cipher, long rekeyAfterDatagrams, Duration rekeyAfter, int maxSessionsPerIp, int handshakesPerSecond,
                          long maxQueuedBytes, Duration minRto, boolean overloadBackoff, Io io,
                          boolean relay, int relayCircuits, int relayCircuitsPerPeer, long relayBytesPerSecond,
                          long relayTotalBytesPerSecond, int relayReservations, int reservations, boolean jmx) {

    /** What {@code kcp.io} asks for. */
    public enum Io {
        /** Epoll where it loads and the JVM lets it load silently, else NIO (one log line per process). */
        AUTO,
        EPOLL,
        NIO;

        static Io parse(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    /** The namespace this transport reads. */
    public static final String PREFIX = "kcp.";

    private static final Map<String, String> DEFAULTS = build();

    /** Every key this part reads, with its default ("" for none), for the provider's {@code defaults()}. */
    public static Map<String, String> defaults() {
        return DEFAULTS;
    }

    private static Map<String, String> build() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("kcp.interval", "10ms");
        d.put("kcp.nodelay", "true");
        d.put("kcp.fast-resend", "2");
        d.put("kcp.congestion-control", "false");
        d.put("kcp.send-window", "256");
        d.put("kcp.receive-window", "256");
        d.put("kcp.mtu", "1400");
        d.put("kcp.max-message-bytes", "1048576");
        d.put("kcp.queue-capacity", "8192");
        d.put("kcp.keepalive", "1s");
        d.put("kcp.dead-peer-timeout", "10s");
        d.put("kcp.connect-timeout", "5s");
        d.put("kcp.redial-min", "100ms");
        d.put("kcp.redial-max", "30s");
        d.put("kcp.max-sessions", "10000");
        d.put("kcp.dispatch-bytes", "67108864");
        d.put("kcp.event-loop-threads", "0");
        d.put("kcp.secure", "false");
        d.put("kcp.node-key", "");
        d.put("kcp.allow-keys", "");
        d.put("kcp.cipher", CipherSuite.AUTO);
        d.put("kcp.rekey-after-datagrams", "1000000");
        d.put("kcp.rekey-after", "10m");
        d.put("kcp.max-sessions-per-ip", "256");
        d.put("kcp.handshakes-per-second", "1000");
        d.put("kcp.max-queued-bytes", "16777216");
        d.put("kcp.min-rto", "100ms");
        d.put("kcp.overload-backoff", "true");
        d.put("kcp.io", "auto");
        d.put("kcp.relay", "false");
        d.put("kcp.relay-circuits", "64");
        d.put("kcp.relay-circuits-per-peer", "8");
        d.put("kcp.relay-bytes-per-second", "1048576");
        d.put("kcp.relay-total-bytes-per-second", "16777216");
        d.put("kcp.relay-reservations", "256");
        d.put("kcp.reservations", "2");
        d.put("kcp.jmx", "true");
        return Map.copyOf(d);
    }

    /**
     * Reads the {@code kcp.*} keys of these settings; other namespaces are left to their owners.
     *
     * @param settings all settings
     * @return the parsed settings
     * @throws IllegalArgumentException naming an unknown {@code kcp.*} key or a value that does not parse
     */
    public static KcpSettings from(Map<String, String> settings) {
        SettingsReader r = SettingsReader.of(settings, PREFIX, DEFAULTS);
        KcpSettings s = new KcpSettings(
                r.duration("kcp.interval", Duration.ofMillis(1), Duration.ofSeconds(5)),
                r.bool("kcp.nodelay"),
                r.integer("kcp.fast-resend", 0, 1000),
                r.bool("kcp.congestion-control"),
                r.integer("kcp.send-window", 1, 65535),
                r.integer("kcp.receive-window", 1, 65535),
                r.integer("kcp.mtu", 128, 65000),
                r.integer("kcp.max-message-bytes", 0, 256 << 20),
                r.integer("kcp.queue-capacity", 4, 1 << 24),
                r.duration("kcp.keepalive", Duration.ofMillis(10), Duration.ofHours(1)),
                r.duration("kcp.dead-peer-timeout", Duration.ofMillis(50), Duration.ofHours(24)),
                r.duration("kcp.connect-timeout", Duration.ofMillis(50), Duration.ofHours(1)),
                r.duration("kcp.redial-min", Duration.ofMillis(1), Duration.ofHours(1)),
                r.duration("kcp.redial-max", Duration.ofMillis(1), Duration.ofHours(24)),
                r.integer("kcp.max-sessions", 1, 1 << 24),
                r.longValue("kcp.dispatch-bytes", 1 << 16, 1L << 40),
                r.integer("kcp.event-loop-threads", 0, 1024),
                r.bool("kcp.secure"),
                r.bool("kcp.secure") || r.optional("kcp.node-key").isPresent() ? nodeKey(r) : null,
                Set.copyOf(r.list("kcp.allow-keys", KcpSettings::publicKeyHex, "64 hex digits (X25519 public keys)")),
                r.parse("kcp.cipher", text -> CipherSuite.ofSetting(text).orElseThrow(), "aes-gcm, chacha20-poly1305 or auto"),
                r.longValue("kcp.rekey-after-datagrams", 16, 1L << 60),
                r.duration("kcp.rekey-after", Duration.ofSeconds(1), Duration.ofDays(1)),
                r.integer("kcp.max-sessions-per-ip", 1, 1 << 24),
                r.integer("kcp.handshakes-per-second", 1, 1 << 24),
                r.longValue("kcp.max-queued-bytes", 1 << 16, 1L << 40),
                r.duration("kcp.min-rto", Duration.ofMillis(1), Duration.ofSeconds(60)),
                r.bool("kcp.overload-backoff"),
                r.parse("kcp.io", Io::parse, "auto, epoll or nio"),
                r.bool("kcp.relay"),
                r.integer("kcp.relay-circuits", 1, 1 << 20),
                r.integer("kcp.relay-circuits-per-peer", 1, 1 << 20),
                r.longValue("kcp.relay-bytes-per-second", 1024, 1L << 40),
                r.longValue("kcp.relay-total-bytes-per-second", 1024, 1L << 40),
                r.integer("kcp.relay-reservations", 1, 1 << 20),
                r.integer("kcp.reservations", 0, 16),
                r.bool("kcp.jmx"));
        if (s.deadPeerTimeout.compareTo(s.keepalive) <= 0) {
            throw SettingsReader.invalid("kcp.dead-peer-timeout", "longer than kcp.keepalive (" + s.keepalive.toMillis() + "ms)",
                    s.deadPeerTimeout.toMillis() + "ms", null);
        }
        if (!s.secure && !s.allowKeys.isEmpty()) {
            // An allow-list on a plain node would protect nothing: say so instead of seeming to.
            throw SettingsReader.invalid("kcp.allow-keys", "used with kcp.secure=true (plain sessions have no static keys)",
                    s.allowKeys.size() + " keys", null);
        }
        if (s.relayTotalBytesPerSecond < s.relayBytesPerSecond) {
            throw SettingsReader.invalid("kcp.relay-total-bytes-per-second", "at least kcp.relay-bytes-per-second ("
                    + s.relayBytesPerSecond + ")", Long.toString(s.relayTotalBytesPerSecond), null);
        }
        if (s.relayBytesPerSecond < s.mtu) {
            // A budget below one datagram would refuse every datagram of a pair.
            throw SettingsReader.invalid("kcp.relay-bytes-per-second", "at least kcp.mtu (" + s.mtu + ")",
                    Long.toString(s.relayBytesPerSecond), null);
        }
        if (s.redialMax.compareTo(s.redialMin) < 0) {
            throw SettingsReader.invalid("kcp.redial-max", "at least kcp.redial-min (" + s.redialMin.toMillis() + "ms)",
                    s.redialMax.toMillis() + "ms", null);
        }
        return s;
    }

    /** kcp.node-key: 64 hex digits, or a file holding them; a fresh key when unset. Never echoed in errors. */
    private static NodeIdentity nodeKey(SettingsReader r) {
        Optional<String> given = r.optional("kcp.node-key");
        if (given.isEmpty()) {
            return NodeIdentity.generate(new SecureRandom());
        }
        String text = given.get();
        if (text.matches("(0x)?[0-9a-fA-F]+") && !text.matches("(0x)?[0-9a-fA-F]{64}")) {
            // Hex of the wrong length is a mistyped key, not a file name: never echo it.
            throw new IllegalArgumentException("setting kcp.node-key must be 64 hex digits (the node's secret key)");
        }
        if (!text.matches("(0x)?[0-9a-fA-F]{64}")) {
            try {
                text = Files.readString(Path.of(text)).trim();
            } catch (IOException | InvalidPathException e) {
                throw new IllegalArgumentException("setting kcp.node-key must be 64 hex digits or a readable file holding them: "
                        + "cannot read " + given.get() + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        String digits = text.startsWith("0x") ? text.substring(2) : text;
        if (!digits.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("setting kcp.node-key must be 64 hex digits (the node's secret key)");
        }
        return NodeIdentity.fromSecret(HexFormat.of().parseHex(digits));
    }

    private static String publicKeyHex(String text) {
        String digits = (text.startsWith("0x") ? text.substring(2) : text).toLowerCase(Locale.ROOT);
        if (!digits.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(text);
        }
        return digits;
    }

    /** @return the largest frame on the wire: length prefix excluded, type, body and checksum included */
    public int maxFrameLength() {
        return Frames.maxFrameLength(maxMessageBytes);
    }
}
