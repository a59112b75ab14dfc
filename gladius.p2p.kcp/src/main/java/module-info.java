/**
 * The KCP transport of Gladius P2P: {@code NetworkProvider} "kcp".
 *
 * <p>One UDP socket per node, sessions keyed by remote address, each a KCP stream (its own engine,
 * wire-compatible with ikcp.c's) carrying length-prefixed frames with CRC-32C. The wire
 * format is in {@code docs/PROTOCOL.md}; the send and receive paths are drawn in the javadoc of
 * {@code gladius.p2p.kcp.internal}. Settings are read from the {@code kcp.*} namespace.
 *
 * <p>Applications reach the transport through {@code gladius.p2p.Network}; the one package
 * exported, {@code gladius.p2p.kcp.jmx}, is the shape of its JMX beans, for JMX proxies.
 *
 * @provides gladius.p2p.spi.NetworkProvider "kcp"
 */
// "module": the simulator is built after this module, so javac would warn that it is not found.
@SuppressWarnings("module")
module gladius.p2p.kcp {
    requires gladius.p2p.api;
    requires io.netty.buffer;
    requires io.netty.common;
    requires io.netty.transport;
    // kcp.io=epoll: the classes are plain Java and load anywhere; the native library is in the
    // linux-x86_64 module, required so that it is resolved (and linked into images) without an
    // --add-modules. Elsewhere Epoll.isAvailable() is false and kcp.io=auto uses NIO.
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;
    requires io.netty.transport.epoll.linux.x86_64;
    requires org.jctools.core;
    // X25519 and Ed25519 for kcp.secure come from the SunEC provider in this module (ChaCha20-Poly1305,
    // AES-GCM and HMAC are in java.base); requiring it makes jlink put it in every image that has this transport.
    requires jdk.crypto.ec;
    // Flight Recorder events (FlightEvents): the JDK's own, so jlink puts it in the image.
    requires jdk.jfr;
    // The network's MXBean (kcp.jmx) on the platform MBean server.
    requires transitive java.management;
    // kcp.cipher=auto asks HotSpot whether it runs AES on the CPU's instructions (HotSpotDiagnosticMXBean).
    requires jdk.management;

    exports gladius.p2p.kcp.jmx;
    // The simulator drives this transport's own core in virtual time (VirtualNetworks); no other module sees inside.
    exports gladius.p2p.kcp.internal to gladius.p2p.sim;

    provides gladius.p2p.spi.NetworkProvider with gladius.p2p.kcp.internal.KcpNetworkProvider;
}
