package gladius.p2p.kcp;

import java.util.Map;

/**
 * The ways the transport can run: plain or secure sessions, each on both socket implementations.
 * Every contract test runs once in each (as Netty's testsuite runs each socket test on every
 * transport), through {@code @ParameterizedClass} and {@code @EnumSource(Mode.class)}: a mode
 * added here is covered by every such test. The epoll modes ask for epoll outright, so a machine
 * where it cannot load fails them with the reason instead of quietly testing NIO twice.
 */
enum Mode {
    /** Plain sessions (docs/PROTOCOL.md sections 1-5) on Netty's native epoll: sendmmsg, UDP GSO, and UDP GRO or recvmmsg. */
    PLAIN_EPOLL(Map.of("kcp.secure", "false", "kcp.io", "epoll")),
    /** Plain sessions on the JDK's NIO, one datagram per system call. */
    PLAIN_NIO(Map.of("kcp.secure", "false", "kcp.io", "nio")),
    /** Noise XX handshakes and sealed datagrams (docs/PROTOCOL.md section 6), fresh static keys, on epoll. */
    SECURE_EPOLL(Map.of("kcp.secure", "true", "kcp.io", "epoll")),
    /** The same on NIO. */
    SECURE_NIO(Map.of("kcp.secure", "true", "kcp.io", "nio"));

    private final Map<String, String> settings;

    Mode(Map<String, String> settings) {
        this.settings = settings;
    }

    /** @return the settings that select this mode */
    Map<String, String> settings() {
        return settings;
    }
}
