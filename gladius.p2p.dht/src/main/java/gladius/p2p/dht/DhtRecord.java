package gladius.p2p.dht;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A value in the DHT, as a reader gets it once its signature checked out: who wrote it (an
 * Ed25519 public key, or an Ethereum address for a record signed the way ethstate signs its
 * entries), under which name, the value, its sequence number and when it expires.
 * Only the writer can make a record of its own key and name (the DHT stores it at
 * SHA-256 of the two, as BitTorrent's BEP 44 stores mutable items), so of two valid records at one
 * place the one with the larger sequence number is the newer, and nobody else can put a newer one.
 * Written {@code WRITERHEX/NAME} where a user names one ({@link #path()}).
 */
public final class DhtRecord {

    /** Bytes of a writer's Ed25519 key. */
    public static final int WRITER_BYTES = 32;
    /** Bytes of an Ethereum writer's address. */
    public static final int ETHEREUM_WRITER_BYTES = 20;
    /** The longest name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;
    /** The largest value, in bytes. */
    public static final int MAX_VALUE_BYTES = 32 * 1024;

    private final byte[] writer;
    private final String name;
    private final byte[] value;
    private final long sequence;
    private final Instant expiresAt;

    /**
     * A record's contents (what the DHT signs and checks, not a signature).
     *
     * @param writer the writer's Ed25519 public key, 32 bytes, or its Ethereum address, 20 bytes
     * @param name 1 to 255 bytes of UTF-8
     * @param value at most {@value #MAX_VALUE_BYTES} bytes
     * @param sequence zero or more: the larger, the newer
     * @param expiresAt when readers stop taking it
     * @throws IllegalArgumentException naming the argument out of bounds
     */
    public DhtRecord(byte[] writer, String name, byte[] value, long sequence, Instant expiresAt) {
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (writer.length != WRITER_BYTES && writer.length != ETHEREUM_WRITER_BYTES) {
            throw new IllegalArgumentException("writer must be " + WRITER_BYTES + " bytes (Ed25519) or " + ETHEREUM_WRITER_BYTES
                    + " (an Ethereum address), not " + writer.length);
        }
        checkName(name);
        if (value.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("value is " + value.length + " bytes, over " + MAX_VALUE_BYTES);
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be zero or more, not " + sequence);
        }
        this.writer = writer.clone();
        this.name = name;
        this.value = value.clone();
        this.sequence = sequence;
        this.expiresAt = expiresAt;
    }

    /**
     * Checks a record name.
     *
     * @param name the name
     * @return the name
     * @throws IllegalArgumentException if it is empty, over 255 bytes of UTF-8, or holds '/' at its start or a control character
     */
    public static String checkName(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("name must be 1 to " + MAX_NAME_BYTES + " bytes of UTF-8, not " + bytes);
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("name must hold no control characters");
        }
        return name;
    }

    /** {@return whether the writer is an Ethereum address (the record signed as ethstate signs entries)} */
    public boolean ethereum() {
        return writer.length == ETHEREUM_WRITER_BYTES;
    }

    /** {@return a copy of the writer's Ed25519 public key, or its 20-byte Ethereum address} */
    public byte[] writer() {
        return writer.clone();
    }

    /** {@return the record's name} */
    public String name() {
        return name;
    }

    /** {@return a copy of the value} */
    public byte[] value() {
        return value.clone();
    }

    /** {@return the sequence number: of two valid records of one writer and name, the larger is the newer} */
    public long sequence() {
        return sequence;
    }

    /** {@return when readers and storers stop taking it} */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** {@return {@code WRITERHEX/NAME}: how a user names the record ({@link DhtService#get(String)}); 40 digits for an Ethereum writer} */
    public String path() {
        return HexFormat.of().formatHex(writer) + "/" + name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhtRecord r && sequence == r.sequence && Arrays.equals(writer, r.writer) && name.equals(r.name)
                && Arrays.equals(value, r.value) && expiresAt.equals(r.expiresAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(writer), name, sequence);
    }

    @Override
    public String toString() {
        return path() + " #" + sequence + " (" + value.length + " bytes, expires " + expiresAt + ")";
    }
}
