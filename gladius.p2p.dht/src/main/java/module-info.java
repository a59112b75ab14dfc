/**
 * A Kademlia DHT for Gladius P2P: {@code PluginProvider} "dht". Finds any node by its key and any
 * signed record among many thousands of nodes: 256-bit IDs from the keys the sessions prove,
 * k-buckets with subnet limits and a preference for long-lived nodes, lookups over disjoint paths
 * (S/Kademlia), Ed25519-signed records in which the newest valid one wins, and provider records.
 * Applications reach it through {@code network.plugin(DhtService.class)}.
 *
 * <p>Depends on the api, and on SQLite ({@code org.xerial.sqlitejdbc}) for its data directory;
 * the design is in docs/DHT.md, the wire format in docs/PROTOCOL.md.
 *
 * @provides gladius.p2p.spi.PluginProvider "dht"
 */
module gladius.p2p.dht {
    requires transitive gladius.p2p.api;
    requires java.sql;
    requires org.xerial.sqlitejdbc; // dht.data-dir: loaded (with its native library) only when one is set

    exports gladius.p2p.dht;
    // gladius.p2p.dht.internal (the core, the plugin, its settings and wire format) is not exported.

    provides gladius.p2p.spi.PluginProvider with gladius.p2p.dht.internal.DhtProvider;
}
