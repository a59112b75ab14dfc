package gladius.p2p.kcp;

import java.util.Map;

/**
 * The ways the transport can run. Every contract test runs once in each (as Netty's testsuite
 * runs each socket test on every transport), through {@code @ParameterizedClass} and
 * {@code @EnumSource(Mode.class)}: a mode added here is covered by every such test.
 */
enum Mode {
    /** Plain sessions (docs/PROTOCOL.md sections 1-5). */
    PLAIN(Map.of("kcp.secure", "false")),
    /** Noise XX handshakes and sealed datagrams (docs/PROTOCOL.md section 6), fresh static keys. */
    SECURE(Map.of("kcp.secure", "true"));

    private final Map<String, String> settings;

    Mode(Map<String, String> settings) {
        this.settings = settings;
    }

    /** @return the settings that select this mode */
    Map<String, String> settings() {
        return settings;
    }
}
