package gladius.p2p.dht;

import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The DHT plugin as an application uses it: {@code network.plugin(DhtService.class)}. Every call
 * returns at once; its future completes on the network's plugin thread (do not block in a stage
 * that runs there), exceptionally with an {@link IllegalStateException} if the network closed
 * first. A lookup that finds nothing is an empty result, not an exception.
 *
 * <p>Records are signed by this node's DHT key ({@link #writer()}: setting {@code dht.key}, or
 * the node's own key {@code kcp.node-key} when that is given, or a fresh one) and live at a place
 * only their writer can write, so a reader names a record by its writer and name,
 * {@code WRITERHEX/NAME} ({@link DhtRecord#path()}), and gets the newest valid one.
 */
public interface DhtService {

    /** The message type of the DHT's messages (docs/PROTOCOL.md section 9). */
    String TYPE = "dht";

    /**
     * Completes once this node has joined: it asked its seeds ({@code dht.seeds} and the route
     * table's nodes at start) for the nodes near it and looked itself up through them, whether or
     * not any answered ({@link #knownNodes} says what it found). At once if it had no seeds.
     * Calls made before then ({@link #get}, {@link #put}, {@link #find}, ...) wait for it: a lookup
     * from a table still empty would ask no one.
     *
     * @return the join's end, with the number of nodes then known
     */
    CompletableFuture<Integer> joined();

    /** {@return this node's writer key, the Ed25519 public key that signs its records} */
    byte[] writer();

    /**
     * Signs and stores a record of this node's under {@code name}, on the k nodes closest to its
     * place; it is republished every {@code dht.republish-interval} until this node closes, or
     * until {@link #put} of the same name replaces it. Its sequence number is larger than any this
     * node gave the name before (the clock's milliseconds, or one more than the last).
     *
     * @param name 1 to 255 bytes of UTF-8
     * @param value at most {@value DhtRecord#MAX_VALUE_BYTES} bytes
     * @return the record and how many of the closest nodes hold it
     * @throws IllegalArgumentException if the name or the value is out of bounds
     */
    CompletableFuture<Stored> put(String name, byte[] value);

    /**
     * Stores a record signed elsewhere by an Ethereum key, as ethstate signs its entries (an
     * ethstate {@code Entry}'s parts: its {@code payload()} is what the signature signs), on the k
     * nodes closest to its place {@code ADDRESSHEX/NAME}; republished until it expires, 24 hours
     * after its timestamp. The network checks it with the {@code eip191} signature verifier, which
     * the ethstate module provides: without that module on the module path it is refused here.
     *
     * @param address the signer's Ethereum address, 20 bytes
     * @param name the entry's key: 1 to 255 bytes of UTF-8
     * @param value at most {@value DhtRecord#MAX_VALUE_BYTES} bytes
     * @param timestampMillis the entry's timestamp, its sequence number (the newer, the larger)
     * @param signature the 65-byte EIP-191 signature r ‖ s ‖ v of the entry's payload
     * @return the record and how many of the closest nodes hold it
     * @throws IllegalArgumentException if the signature does not check out (or no eip191 verifier is
     *         on the module path), or the record has expired or is dated in the future
     */
    CompletableFuture<Stored> putSigned(byte[] address, String name, byte[] value, long timestampMillis, byte[] signature);

    /**
     * The newest valid record at {@code WRITERHEX/NAME}, from this node or the network.
     *
     * @param path the record's writer (64 hex digits; 40 for an Ethereum address, with or without
     *        {@code 0x}), a slash, and its name
     * @return the record, or empty if no node gave a valid one
     * @throws IllegalArgumentException if {@code path} is not one
     */
    CompletableFuture<Optional<DhtRecord>> get(String path);

    /**
     * Where the node with this key is, as its own signed record says (in a network with keys).
     *
     * @param key the node's key
     * @return its address, or empty if no lookup reached it
     * @throws IllegalStateException if this network proves no keys (its IDs come from addresses)
     */
    CompletableFuture<Optional<NodeAddress>> find(NodeKey key);

    /**
     * Tells the nodes closest to {@code content} that this node provides it, until it closes (the
     * entries expire after {@code dht.provider-ttl} and are renewed every {@code dht.republish-interval}).
     *
     * @param content what is provided: any bytes that name it (its hash, usually), at most 255
     * @return how many of the closest nodes keep the entry
     * @throws IllegalArgumentException if {@code content} is empty or longer
     */
    CompletableFuture<Integer> provide(byte[] content);

    /**
     * The nodes that said they provide {@code content}.
     *
     * @param content as given to {@link #provide}
     * @return their addresses, possibly none
     */
    CompletableFuture<List<NodeAddress>> providers(byte[] content);

    /** {@return nodes in the routing table now} */
    int knownNodes();

    /** {@return the DHT's counters now} */
    DhtStats stats();

    /**
     * What a put did.
     *
     * @param record the record as signed and stored
     * @param nodes how many of the k closest nodes hold it (this node aside)
     */
    record Stored(DhtRecord record, int nodes) {}
}
