/**
 * What is observed of a node, the lowest floor of the transport: its counters
 * ({@link gladius.p2p.kcp.internal.observe.Counters}), the snapshots that answer
 * {@code Network.networkState()} ({@link gladius.p2p.kcp.internal.observe.Snapshots}), its Flight
 * Recorder events, its JMX beans, and how a socket address is written in all of them.
 *
 * <p>May use the api, the JDK and the shape of the JMX beans ({@code gladius.p2p.kcp.jmx}); nothing
 * else of the transport ({@code LayersTest} checks).
 */
package gladius.p2p.kcp.internal.observe;
