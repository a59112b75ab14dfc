package gladius.p2p.kcp.internal.core;

import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.NodeRecord;
import gladius.p2p.kcp.internal.observe.Addresses;
import gladius.p2p.kcp.internal.secure.NodeIdentity;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signed node records (docs/PROTOCOL.md, section 8): what a node says about itself, signed with
 * the Ed25519 half of its identity, checked against the X25519 key its handshakes prove.
 *
 * <pre>
 *   u8   version    1
 *   32   key        the node's static X25519 key (its NodeKey)
 *   32   signer     its Ed25519 key; the record is valid only if key is signer's Montgomery form
 *   u64  sequence   larger is newer (the signer's clock in milliseconds, never going back)
 *   u8   count      0 to 8 addresses, then each as in a PING report: u8 family (4 or 6), the
 *                   address, u16 port (not 0)
 *   64   signature  Ed25519, by signer, of "gladius-p2p record 1" and every byte above
 * </pre>
 *
 * Reading never throws: records come from the network.
 */
public final class NodeRecords {

    static final int VERSION = 1;
    static final int MAX_ADDRESSES = 8;
    /** The longest record: eight IPv6 addresses. */
    static final int MAX_BYTES = 1 + 32 + 32 + 8 + 1 + MAX_ADDRESSES * Datagram.OBSERVED_V6 + NodeIdentity.SIGNATURE_BYTES;
    private static final byte[] DOMAIN = "gladius-p2p record 1".getBytes(StandardCharsets.US_ASCII);
    /** How many checked records {@link #read} keeps, for the whole process (about 5 MiB at most). */
    static final int CHECKED_CAPACITY = 16_384;
    /**
     * Records that checked out lately, by their bytes, least recently read first. Discovery reads
     * the same records in every answer of every round, and a process may run many nodes (a
     * cluster, the simulator's thousands); an Ed25519 check costs a fraction of a millisecond on
     * the JDK. Only records that checked out are kept: a hit is exactly the check's own answer.
     */
    private static final Map<ByteBuffer, Signed> CHECKED = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Signed> eldest) {
            return size() > CHECKED_CAPACITY;
        }
    };

    private NodeRecords() {}

    /** A record as read or made: its fields and the bytes they came from. */
    public record Signed(NodeKey key, long sequence, List<NodeAddress> addresses, byte[] bytes) implements NodeRecord {

        public Signed {
            addresses = List.copyOf(addresses);
        }

        @Override
        public byte[] encoded() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Signed that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "NodeRecord[" + key + " #" + sequence + " at " + addresses + ", " + bytes.length + " bytes, "
                    + HexFormat.of().formatHex(bytes, bytes.length - 4, bytes.length) + "]";
        }
    }

    /** This node's record: its identity, a sequence number, and up to eight addresses (more are left out). */
    static Signed sign(NodeIdentity identity, long sequence, List<InetSocketAddress> addresses) {
        List<InetSocketAddress> kept = addresses.size() > MAX_ADDRESSES ? addresses.subList(0, MAX_ADDRESSES) : addresses;
        ByteBuffer out = ByteBuffer.allocate(MAX_BYTES);
        out.put((byte) VERSION).put(identity.staticKey().publicKey()).put(identity.signingKey()).putLong(sequence);
        out.put((byte) kept.size());
        List<NodeAddress> written = new ArrayList<>();
        for (InetSocketAddress address : kept) {
            out.put(Datagram.observed(address));
            written.add(Addresses.nodeAddress(address));
        }
        byte[] body = Arrays.copyOf(out.array(), out.position());
        byte[] bytes = ByteBuffer.allocate(body.length + NodeIdentity.SIGNATURE_BYTES).put(body)
                .put(identity.sign(signed(body))).array();
        return new Signed(NodeKey.of(identity.staticKey().publicKey()), sequence, written, bytes);
    }

    /**
     * Reads and checks a record; empty if it is not one, or its signature or key do not check
     * out. A record read lately (these very bytes) is answered without checking it again.
     */
    public static Optional<Signed> read(byte[] bytes) {
        if (bytes == null) {
            return Optional.empty();
        }
        Signed known;
        synchronized (CHECKED) {
            known = CHECKED.get(ByteBuffer.wrap(bytes));
        }
        if (known != null) {
            return Optional.of(known);
        }
        Optional<Signed> checked = check(bytes);
        checked.ifPresent(record -> {
            synchronized (CHECKED) {
                CHECKED.put(ByteBuffer.wrap(record.bytes()), record); // its own copy of the bytes: nobody changes it
            }
        });
        return checked;
    }

    private static Optional<Signed> check(byte[] bytes) {
        if (bytes.length < 1 + 32 + 32 + 8 + 1 + NodeIdentity.SIGNATURE_BYTES || bytes.length > MAX_BYTES
                || bytes[0] != VERSION) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.get();
        byte[] key = new byte[32];
        byte[] signer = new byte[32];
        in.get(key).get(signer);
        long sequence = in.getLong();
        int count = in.get() & 0xff;
        if (count > MAX_ADDRESSES) {
            return Optional.empty();
        }
        List<NodeAddress> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (!in.hasRemaining()) {
                return Optional.empty();
            }
            int family = in.get(in.position()) & 0xff;
            int length = family == 4 ? Datagram.OBSERVED_V4 : family == 6 ? Datagram.OBSERVED_V6 : 0;
            if (length == 0 || in.remaining() < length) {
                return Optional.empty();
            }
            Optional<InetSocketAddress> address = Datagram.observed(bytes, in.position(), length);
            if (address.isEmpty()) {
                return Optional.empty();
            }
            in.position(in.position() + length);
            addresses.add(Addresses.nodeAddress(address.get()));
        }
        if (in.remaining() != NodeIdentity.SIGNATURE_BYTES) {
            return Optional.empty();
        }
        byte[] body = Arrays.copyOf(bytes, in.position());
        byte[] signature = Arrays.copyOfRange(bytes, in.position(), bytes.length);
        if (!NodeIdentity.montgomery(signer).map(u -> Arrays.equals(u, key)).orElse(false)
                || !NodeIdentity.verify(signer, signed(body), signature)) {
            return Optional.empty();
        }
        return Optional.of(new Signed(NodeKey.of(key), sequence, addresses, bytes.clone()));
    }

    private static byte[] signed(byte[] body) {
        byte[] message = Arrays.copyOf(DOMAIN, DOMAIN.length + body.length);
        System.arraycopy(body, 0, message, DOMAIN.length, body.length);
        return message;
    }
}
