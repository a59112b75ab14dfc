/**
 * Plugin callbacks off the event loop ({@link gladius.p2p.kcp.internal.dispatch.PluginDispatcher}):
 * every plugin in order and serially, bounded in bytes, with a way to tell the core when room
 * comes back; and the JCTools queues the transport uses between threads.
 *
 * <p>May use the api, the JDK, JCTools and {@code observe}; never the core, the host or a plugin
 * ({@code LayersTest} checks).
 */
package gladius.p2p.kcp.internal.dispatch;
