package gladius.p2p.ethstate;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * State signed with Ethereum keys, as an application sees it: {@code network.plugin(EthState.class)}.
 * Every node writes entries under its own address; every node holds everyone's, verified, merged
 * last-writer-wins per (address, key) by timestamp (ties go to the larger signature, bytewise, so
 * every node picks the same one).
 *
 * <h2>Settings</h2>
 * <table>
 *   <caption>ethstate.*</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code ethstate.private-key}</td><td>unset</td><td>the node's secp256k1 key, 64 hex digits ({@code 0x} optional)</td></tr>
 *   <tr><td>{@code ethstate.keystore}</td><td>unset</td><td>a Web3 Secret Storage v3 file (scrypt or pbkdf2), instead</td></tr>
 *   <tr><td>{@code ethstate.password}</td><td>unset</td><td>the keystore's password</td></tr>
 *   <tr><td>{@code ethstate.allow}</td><td>unset</td><td>comma-separated addresses; when set, only they may publish</td></tr>
 *   <tr><td>{@code ethstate.interval}</td><td>1s</td><td>time between anti-entropy rounds</td></tr>
 *   <tr><td>{@code ethstate.fanout}</td><td>2</td><td>random peers per round, and per relay of a new entry</td></tr>
 *   <tr><td>{@code ethstate.max-entries}</td><td>10000</td><td>entries held at most (at most 20000)</td></tr>
 *   <tr><td>{@code ethstate.max-value-bytes}</td><td>16384</td><td>the largest value</td></tr>
 *   <tr><td>{@code ethstate.max-clock-skew}</td><td>30s</td><td>how far ahead of this node's clock a timestamp may be</td></tr>
 * </table>
 * With neither a private key nor a keystore, the node makes a fresh key for this run and logs its address.
 *
 * <h2>Signed entries, byte by byte</h2>
 * An entry's <em>payload</em> is
 * <pre>
 *   u8  version (1)
 *   20  signer address
 *   u64 timestamp, milliseconds since the epoch
 *   u16 key length, then the key in UTF-8 (1..255 bytes)
 *   u32 value length, then the value
 * </pre>
 * (integers big-endian). The signature is EIP-191 {@code personal_sign} over the payload bytes:
 * secp256k1 ECDSA of {@code keccak256("\x19Ethereum Signed Message:\n" + decimal(payload length) + payload)},
 * RFC 6979 deterministic nonce, {@code s} at most n/2, written as 65 bytes {@code r ‖ s ‖ v} with
 * {@code v} 27 or 28. So any Ethereum library can check an entry: recover the signer of the
 * payload as a personal message and compare it with the address inside. On the wire an entry is
 * {@code u32 payload length ‖ payload ‖ signature}.
 *
 * <h2>Messages</h2>
 * <pre>
 *   {@value #ENTRIES}: u8 version (1), u16 count, then count entries
 *   {@value #DIGEST}:  u8 version (1), u8 flags (1 = a reply), u32 count, then count times
 *                      20-byte address, first 8 bytes of keccak256(key), u64 timestamp
 * </pre>
 * A put is pushed to every writable peer; an entry new to a node is relayed to {@code fanout}
 * random peers; and every {@code interval} a node sends its digest to {@code fanout} random
 * peers, who send back the entries it lacks and, if it has some they lack, their own digest
 * (flagged as a reply, which is never answered with a digest). Received entries are checked in
 * this order, and the first failure is counted as its {@link Rejection}: format, allow-list,
 * clock skew, signature, capacity. An exact copy of the entry held (anti-entropy and relays send
 * many) is dropped before the signature check and counted nowhere; a copy with the held entry's
 * signature but other contents is checked, and fails it. A validly signed older version is
 * dropped and counted in {@link #superseded()}.
 */
public interface EthState {

    /** The prefix of every message type this plugin sends. */
    String TYPE_PREFIX = "ethstate/";
    /** Signed entries. */
    String ENTRIES = "ethstate/entries";
    /** What a node holds, for anti-entropy. */
    String DIGEST = "ethstate/digest";

    /** @return this node's Ethereum address, EIP-55 mixed case with {@code 0x} */
    String address();

    /**
     * Signs and stores an entry under this node's address, and pushes it to the writable peers.
     *
     * @param key 1 to 255 bytes of UTF-8
     * @param value at most {@code ethstate.max-value-bytes}; copied
     * @return the signed entry
     * @throws IllegalArgumentException if the key or value is out of bounds
     * @throws IllegalStateException after the network closed (before it listens, the entry is stored
     *     and spreads once it does)
     */
    Entry put(String key, byte[] value);

    /**
     * @param address an Ethereum address, any case, with or without {@code 0x}
     * @param key the key
     * @return the entry held for them
     * @throws IllegalArgumentException if the address is malformed
     */
    Optional<Entry> get(String address, String key);

    /** @return every entry held, ordered by address then key */
    List<Entry> snapshot();

    /** @return how many entries are held: {@code snapshot().size()}, without copying and sorting them */
    default int size() {
        return snapshot().size();
    }

    /**
     * Calls the listener with every entry applied from now on, local or received, after it is
     * stored; on the thread that applied it. A listener that throws is logged and kept.
     *
     * @param listener the listener
     */
    void addListener(Consumer<Entry> listener);

    /** @param listener a listener added before; no effect otherwise */
    void removeListener(Consumer<Entry> listener);

    /**
     * Older versions of held entries that arrived validly signed (see {@link Rejection#STALE}):
     * late relays, which gossip makes normal, or replays of real old entries.
     *
     * @return how many were dropped
     */
    long superseded();

    /**
     * Offers an entry signed elsewhere (by a wallet or a hardware key, over {@link Entry#payload()}),
     * checked exactly as a received one is, in the same order: what the wire format cannot carry
     * (a key of 0 or over 255 UTF-8 bytes, a value over {@code ethstate.max-value-bytes}, an
     * address that is not 20 bytes of hex), the allow-list, clock skew, the signature, capacity.
     * If it is new it is stored, the listeners hear it, and it is pushed to every writable peer,
     * as a put is. Refusals are returned, not counted in {@link #rejections()} (which is about
     * what peers send).
     *
     * @param entry the signed entry
     * @return empty if it is now held (new, or already held byte for byte); else why not, where
     *         {@link Rejection#STALE} means a newer version is held
     * @throws IllegalStateException if the network has closed
     */
    Optional<Rejection> putSigned(Entry entry);

    /** @return how many received entries were refused, by reason (every reason present, zero or more) */
    Map<Rejection, Long> rejections();
}
