package gladius.p2p;

import java.util.List;

/**
 * A node's own signed statement of where it can be reached, in a network with keys: its key, a
 * sequence number that only grows, and its addresses (where it listens, if that is an address
 * others can use, and where its peers see it), signed with the node's key, as Ethereum's node
 * records (EIP-778) and libp2p's signed peer records are. A third party can pass a record on but
 * cannot change it or make one for a key it does not hold, so an address learned from a record is
 * one the key's owner claimed. The transport makes and checks records ({@link Network#localRecord},
 * {@link Network#readRecord}); plugins carry them ({@link PeerState#record}). Added to the
 * original contract.
 */
public interface NodeRecord {

    /** {@return the key of the node the record is about, which signed it} */
    NodeKey key();

    /** {@return the record's sequence number: of two valid records of one key, the larger is the newer} */
    long sequence();

    /** {@return the addresses the node says it can be reached at, most likely first} */
    List<NodeAddress> addresses();

    /** {@return the signed bytes, as {@link Network#readRecord} on another node takes them} */
    byte[] encoded();
}
