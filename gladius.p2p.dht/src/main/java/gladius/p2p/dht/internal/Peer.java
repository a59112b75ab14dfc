package gladius.p2p.dht.internal;

import gladius.p2p.NodeAddress;
import java.util.Objects;

/**
 * A node as the DHT knows it: its ID, where to send to it, and the bytes that tell another node
 * of it (its signed {@link gladius.p2p.NodeRecord} in a network with keys, so that an address is
 * checked on every hop; its address as text in one without). Two peers are the same node if their
 * IDs are equal.
 *
 * @param id its ID
 * @param address where it is reached
 * @param entry what a NODES answer carries for it
 */
record Peer(NodeId id, NodeAddress address, byte[] entry) {

    Peer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(entry, "entry");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Peer other && id.equals(other.id) && address.equals(other.address);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return id + "@" + address;
    }
}
