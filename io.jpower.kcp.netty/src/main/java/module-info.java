/**
 * The KCP engine of kcp-netty 1.5.2 (io.jpower.kcp:kcp-netty), as an explicit module.
 *
 * <p>The published jar splits the package {@code io.netty.bootstrap} with Netty's own
 * {@code io.netty.transport} module, so the build unpacks it without that package and adds this
 * descriptor. Only {@link io.jpower.kcp.netty.Kcp} and {@link io.jpower.kcp.netty.KcpOutput} are
 * meant to be used: the channel classes of the original jar do not link against Netty 4.2.
 */
module io.jpower.kcp.netty {
    requires transitive io.netty.buffer;
    requires io.netty.common;
    requires io.netty.transport;

    exports io.jpower.kcp.netty;
}
