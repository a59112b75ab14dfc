/**
 * The DHT's insides: {@link gladius.p2p.dht.internal.Kademlia}, a core without I/O (routing table,
 * lookups, record store) that {@link gladius.p2p.dht.internal.DhtPlugin} runs on a network's
 * plugin thread and the simulator runs in virtual time.
 */
package gladius.p2p.dht.internal;
