/**
 * Topics for Gladius P2P: {@code PluginProvider} "pubsub". A message published to a topic reaches
 * every node subscribed to it over gossipsub's mesh and gossip (docs/PUBSUB.md): a mesh of about
 * D peers per topic kept by a heartbeat, flood publishing, fanout, a seen cache, validation, and a
 * message cache gossiped with IHAVE and IWANT. Applications reach it through
 * {@code network.plugin(PubSub.class)}. Depends on the api only; the wire format is in
 * docs/PROTOCOL.md.
 *
 * @provides gladius.p2p.spi.PluginProvider "pubsub"
 */
module gladius.p2p.pubsub {
    requires transitive gladius.p2p.api;

    exports gladius.p2p.pubsub;
    // gladius.p2p.pubsub.internal (the router, the plugin, its settings and wire format) is not exported.

    provides gladius.p2p.spi.PluginProvider with gladius.p2p.pubsub.internal.PubSubProvider;
}
