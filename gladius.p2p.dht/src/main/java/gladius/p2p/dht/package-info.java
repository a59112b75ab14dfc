/** The DHT plugin's public face: {@link gladius.p2p.dht.DhtService} and {@link gladius.p2p.dht.DhtRecord}. */
package gladius.p2p.dht;
