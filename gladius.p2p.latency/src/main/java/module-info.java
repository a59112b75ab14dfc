/**
 * Latency audit for Gladius P2P: {@code PluginProvider} "latency". Probes every connected
 * route-table peer every {@code latency.interval} with a sequence number and a timestamp, keeps a
 * bounded window of round trips and outcomes per peer, and optionally deletes peers past
 * {@code latency.max-rtt} or {@code latency.max-loss}. Applications reach it through
 * {@code network.plugin(LatencyAudit.class)}.
 *
 * <p>Depends on the api only (so no HdrHistogram: it ships no module descriptor, and the window
 * is small enough to sort).
 *
 * @provides gladius.p2p.spi.PluginProvider "latency"
 */
module gladius.p2p.latency {
    requires transitive gladius.p2p.api;

    exports gladius.p2p.latency;
    // gladius.p2p.latency.internal (the plugin, its settings and probes) is not exported.

    provides gladius.p2p.spi.PluginProvider with gladius.p2p.latency.internal.LatencyProvider;
}
