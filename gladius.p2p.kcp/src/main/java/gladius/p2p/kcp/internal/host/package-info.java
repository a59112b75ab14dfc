/**
 * Where a network runs on sockets: the {@link gladius.p2p.kcp.internal.host.Hosting} and
 * {@link gladius.p2p.kcp.internal.host.Host} seams a network is bound through, and their socket
 * side: the shared event loops and executors ({@code SharedResources}), the Netty driver that
 * runs one core on one channel ({@code NettyDriver}, {@code UdpEndpoint}), and the choice of
 * native epoll or NIO ({@code SocketIo}). The simulator's side of the same seams is
 * {@code VirtualNetworks}, in the package above.
 *
 * <p>May use everything below it (the core and what the core uses) and Netty's channels; never
 * the package above ({@code LayersTest} checks).
 */
package gladius.p2p.kcp.internal.host;
