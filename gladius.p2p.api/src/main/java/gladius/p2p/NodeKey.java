package gladius.p2p;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Who a node is in a network with keys (the kcp transport's {@code kcp.secure}): the static public
 * key its handshakes prove, 32 bytes, written as 64 hex digits. An address says where a node is;
 * its key says who it is. Pin it with {@link Network#add(Contact)} and a session that proves any
 * other key fails. Immutable. Added to the original contract.
 */
public final class NodeKey implements Comparable<NodeKey> {

    /** Bytes in a key. */
    public static final int LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private NodeKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * The key with these bytes.
     *
     * @param key 32 bytes, copied
     * @return the key
     * @throws IllegalArgumentException if {@code key} is not 32 bytes long
     */
    public static NodeKey of(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != LENGTH) {
            throw new IllegalArgumentException("key must be " + LENGTH + " bytes, not " + key.length);
        }
        return new NodeKey(key.clone());
    }

    /**
     * Parses a key from its text form.
     *
     * @param hex 64 hex digits, either case, with or without a leading {@code 0x}
     * @return the key
     * @throws IllegalArgumentException if {@code hex} is anything else
     */
    public static NodeKey parse(String hex) {
        Objects.requireNonNull(hex, "hex");
        String digits = hex.startsWith("0x") ? hex.substring(2) : hex;
        if (digits.length() != 2 * LENGTH || !digits.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 128)) {
            // Never echo more than a little of it: a private key pasted here by mistake must not reach a log.
            throw new IllegalArgumentException("key must be " + 2 * LENGTH + " hex digits, not "
                    + (digits.length() == 2 * LENGTH ? "these" : digits.length() + " characters"));
        }
        return new NodeKey(HEX.parseHex(digits));
    }

    /** {@return a copy of the 32 bytes} */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** {@return the first 8 hex digits, enough to tell keys apart in a table meant for people} */
    public String shortText() {
        return HEX.formatHex(bytes, 0, 4);
    }

    /** {@return 64 lowercase hex digits; {@code parse(k.toString()).equals(k)} always holds} */
    @Override
    public String toString() {
        return HEX.formatHex(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NodeKey key && Arrays.equals(bytes, key.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Orders keys by their bytes as unsigned numbers, most significant first. */
    @Override
    public int compareTo(NodeKey other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }
}
