package gladius.p2p.ethstate.internal;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

/** Ethereum addresses as text: EIP-55 mixed-case checksums. */
final class Addresses {

    private static final HexFormat HEX = HexFormat.of();

    private Addresses() {}

    /** The EIP-55 form of a 20-byte address, with {@code 0x}. */
    static String checksummed(byte[] address) {
        String lower = HEX.formatHex(address);
        byte[] hash = Keccak.hash256(lower.getBytes(StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder("0x");
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0f;
            out.append(Character.isLetter(c) && nibble >= 8 ? Character.toUpperCase(c) : c);
        }
        return out.toString();
    }

    /**
     * Parses an address: 40 hex digits, {@code 0x} optional. All lower or all upper case is taken
     * as is; mixed case must carry a correct EIP-55 checksum.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static byte[] parse(String text) {
        String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        if (digits.length() != 40) {
            throw new IllegalArgumentException("an Ethereum address has 40 hex digits: '" + text + "'");
        }
        byte[] address;
        try {
            address = HEX.parseHex(digits.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("an Ethereum address has 40 hex digits: '" + text + "'", e);
        }
        boolean mixed = !digits.equals(digits.toLowerCase(Locale.ROOT)) && !digits.equals(digits.toUpperCase(Locale.ROOT));
        if (mixed && !checksummed(address).substring(2).equals(digits)) {
            throw new IllegalArgumentException("the EIP-55 checksum of this address does not match: '" + text + "'");
        }
        return address;
    }
}
