/**
 * Peer discovery for Gladius P2P: {@code PluginProvider} "discovery". Starts from
 * {@code discovery.seeds}, asks a few random peers for a sample of theirs every
 * {@code discovery.interval}, adds new ones up to {@code discovery.max-peers}, answers such
 * requests from anyone, and deletes peers that stay unreachable. Applications reach it through
 * {@code network.plugin(DiscoveryService.class)}.
 *
 * <p>Depends on the api only; the wire format is in the javadoc of
 * {@link gladius.p2p.discovery.DiscoveryService}.
 *
 * @provides gladius.p2p.spi.PluginProvider "discovery"
 */
module gladius.p2p.discovery {
    requires transitive gladius.p2p.api;

    exports gladius.p2p.discovery;
    // gladius.p2p.discovery.internal (the plugin, its settings and wire format) is not exported.

    provides gladius.p2p.spi.PluginProvider with gladius.p2p.discovery.internal.DiscoveryProvider;
}
