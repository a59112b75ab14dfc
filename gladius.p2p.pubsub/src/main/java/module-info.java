/**
 * Topics for Gladius P2P: publish/subscribe over gossipsub's mesh and gossip (docs/PUBSUB.md).
 * Today the router without I/O ({@code internal.Router}) and its virtual-time harness; the
 * {@code PubSub} service and the plugin come next, so nothing is exported yet.
 */
module gladius.p2p.pubsub {
    requires transitive gladius.p2p.api;
}
