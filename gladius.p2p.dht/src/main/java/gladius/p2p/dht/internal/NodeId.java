package gladius.p2p.dht.internal;

import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * A point of the DHT's 256-bit key space: a node's ID (SHA-256 of the key its sessions prove, or
 * in a network without keys of its address, which proves nothing) or a record's. Distance is XOR,
 * compared as an unsigned number; the bucket of an ID is the length of the prefix it shares with
 * this node's (Kademlia).
 */
final class NodeId implements Comparable<NodeId> {

    static final int BYTES = 32;
    static final int BITS = 8 * BYTES;

    private final byte[] bytes;
    private final int hash;

    private NodeId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** The ID with these 32 bytes (copied). */
    static NodeId of(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("an ID is " + BYTES + " bytes, not " + bytes.length);
        }
        return new NodeId(bytes.clone());
    }

    /** The ID of a node that proves this key: SHA-256 of its 32 bytes. */
    static NodeId ofKey(NodeKey key) {
        return new NodeId(sha256(key.bytes()));
    }

    /** The ID of a node of a network without keys: SHA-256 of its address as text. Unauthenticated. */
    static NodeId ofAddress(NodeAddress address) {
        return new NodeId(sha256(("gladius dht address " + address).getBytes(StandardCharsets.UTF_8)));
    }

    /** A uniformly random ID. */
    static NodeId random(RandomGenerator random) {
        byte[] b = new byte[BYTES];
        random.nextBytes(b);
        return new NodeId(b);
    }

    /**
     * A random ID that shares exactly {@code prefix} leading bits with this one: an ID in bucket
     * {@code prefix} of this node's table, what a bucket refresh looks up.
     */
    NodeId randomInBucket(int prefix, RandomGenerator random) {
        if (prefix < 0 || prefix >= BITS) {
            throw new IllegalArgumentException("prefix must be 0 to " + (BITS - 1) + ", not " + prefix);
        }
        byte[] b = new byte[BYTES];
        random.nextBytes(b);
        for (int i = 0; i < prefix; i++) {
            setBit(b, i, bit(bytes, i));
        }
        setBit(b, prefix, !bit(bytes, prefix));
        return new NodeId(b);
    }

    /** The number of leading bits this ID shares with {@code other}; {@value #BITS} for itself. */
    int commonPrefix(NodeId other) {
        for (int i = 0; i < BYTES; i++) {
            int x = (bytes[i] ^ other.bytes[i]) & 0xff;
            if (x != 0) {
                return 8 * i + Integer.numberOfLeadingZeros(x) - 24;
            }
        }
        return BITS;
    }

    /** Compares the distances of {@code a} and {@code b} from this ID: negative if {@code a} is closer. */
    int compareDistance(NodeId a, NodeId b) {
        for (int i = 0; i < BYTES; i++) {
            int da = (a.bytes[i] ^ bytes[i]) & 0xff;
            int db = (b.bytes[i] ^ bytes[i]) & 0xff;
            if (da != db) {
                return Integer.compare(da, db);
            }
        }
        return 0;
    }

    byte[] bytes() {
        return bytes.clone();
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static boolean bit(byte[] b, int i) {
        return (b[i >>> 3] & (0x80 >>> (i & 7))) != 0;
    }

    private static void setBit(byte[] b, int i, boolean on) {
        if (on) {
            b[i >>> 3] |= (byte) (0x80 >>> (i & 7));
        } else {
            b[i >>> 3] &= (byte) ~(0x80 >>> (i & 7));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId other && hash == other.hash && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(NodeId other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    /** The first 8 hex digits, for logs. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes, 0, 4);
    }
}
