/**
 * A Gladius plugin: every node sends a heartbeat to its route-table peers now and then, and
 * counts the ones it hears. Drop its jar on a node's module path (or into the image's plugins/
 * folder) and it runs; nothing names it.
 */
module acme.heartbeat {
    requires transitive gladius.p2p.api; // transitive: Heartbeats, which it exports, names NodeAddress

    exports acme.heartbeat;

    provides gladius.p2p.spi.PluginProvider with acme.heartbeat.internal.HeartbeatProvider;
}
