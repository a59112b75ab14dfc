/**
 * The protocol core: sessions, their handshakes, the KCP engine, relaying and the peers' send
 * queues, with no socket, no executor and no clock of its own. Datagrams and the time come in
 * through {@link gladius.p2p.kcp.internal.core.SessionLayer}'s entry points; datagrams go out,
 * and the time is read, through the {@link gladius.p2p.kcp.internal.core.Driver} it is given; its
 * deadlines ({@link gladius.p2p.kcp.internal.core.Timers}) run when the driver says so. The map of
 * who owns what is in the package above.
 *
 * <p>May use the api, the JDK, Netty's buffers ({@code io.netty.buffer}), JCTools, and
 * {@code secure}, {@code dispatch} and
 * {@code observe}; never a Netty channel, transport, bootstrap or executor, nor {@code host} or
 * the package above ({@code LayersTest} checks, so the core stays runnable in virtual time).
 */
package gladius.p2p.kcp.internal.core;
