package gladius.p2p.ethstate;

import gladius.p2p.ethstate.internal.EntryPayload;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One signed state entry: who wrote it, under which key, what, when, and the signature that proves it.
 * Immutable; the arrays are copied in and out.
 */
public final class Entry {

    private final String address;
    private final String key;
    private final byte[] value;
    private final long timestampMillis;
    private final byte[] signature;

    /**
     * @param address the signer's address, EIP-55 mixed case with {@code 0x}
     * @param key the key
     * @param value the value
     * @param timestampMillis when it was written, in milliseconds since the epoch
     * @param signature the 65-byte signature r ‖ s ‖ v over {@link EthState the payload}
     */
    public Entry(String address, String key, byte[] value, long timestampMillis, byte[] signature) {
        this.address = Objects.requireNonNull(address, "address");
        this.key = Objects.requireNonNull(key, "key");
        this.value = value.clone();
        this.timestampMillis = timestampMillis;
        this.signature = signature.clone();
    }

    /** @return the signer's address, EIP-55 mixed case with {@code 0x} */
    public String address() {
        return address;
    }

    /** @return the key */
    public String key() {
        return key;
    }

    /** @return a copy of the value */
    public byte[] value() {
        return value.clone();
    }

    /** @return when the signer wrote it, in milliseconds since the epoch */
    public long timestampMillis() {
        return timestampMillis;
    }

    /** @return when the signer wrote it */
    public Instant timestamp() {
        return Instant.ofEpochMilli(timestampMillis);
    }

    /**
     * The exact bytes the signature signs as an EIP-191 personal message (the layout is in
     * {@link EthState}): what a wallet or hardware key is given to sign an entry for
     * {@link EthState#putSigned}, or what any Ethereum library checks a received one against.
     *
     * @return the payload, a new array
     * @throws IllegalArgumentException if the address is not 20 bytes of hex, or the key is not
     *         1 to 255 bytes of UTF-8
     */
    public byte[] payload() {
        return EntryPayload.of(address, timestampMillis, key, value);
    }

    /** @return a copy of the 65-byte signature r ‖ s ‖ v (v is 27 or 28) */
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Entry e && e.timestampMillis == timestampMillis && e.address.equals(address)
                && e.key.equals(key) && Arrays.equals(e.value, value) && Arrays.equals(e.signature, signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, key, timestampMillis, Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return "Entry[" + address + " " + key + "=" + value.length + " bytes at " + timestamp() + ", sig "
                + HexFormat.of().formatHex(signature, 0, 4) + "...]";
    }
}
