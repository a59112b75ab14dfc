package gladius.p2p.ethstate.internal;

import java.nio.charset.StandardCharsets;

/** The signed payload of an entry, for {@link gladius.p2p.ethstate.Entry#payload()} (this package is not exported). */
public final class EntryPayload {

    private EntryPayload() {}

    /**
     * The payload bytes of an entry, as {@link gladius.p2p.ethstate.EthState} lays them out.
     *
     * @param address the signer's address, hex with or without {@code 0x}, any case
     * @param timestampMillis the timestamp
     * @param key the key
     * @param value the value
     * @return a new array
     * @throws IllegalArgumentException if the address is not 20 bytes of hex, or the key is not 1 to 255 bytes of UTF-8
     */
    public static byte[] of(String address, long timestampMillis, String key, byte[] value) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        if (keyBytes.length == 0 || keyBytes.length > EntryCodec.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key must be 1 to " + EntryCodec.MAX_KEY_BYTES + " bytes of UTF-8: " + keyBytes.length);
        }
        return EntryCodec.payload(Addresses.parse(address), timestampMillis, keyBytes, value);
    }
}
