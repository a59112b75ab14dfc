package gladius.p2p.dht.internal;

import gladius.p2p.dht.DhtRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * DHT records on the wire (docs/PROTOCOL.md section 9): kind 1 (Ed25519), the writer's key, the
 * name (u8 length), sequence (u64), expiry (u64 milliseconds since the epoch), the value (u16
 * length), then the writer's signature of all of that behind a domain label. A record lives at
 * SHA-256 of a label, its kind, writer and name: only its writer can make a record for that place.
 */
final class Records {

    static final byte ED25519 = 1;
    private static final byte[] SIGNED_LABEL = "gladius dht record v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PLACE_LABEL = "gladius dht place\0".getBytes(StandardCharsets.US_ASCII);
    /** The largest encoded record: header, longest name, largest value, signature. */
    static final int MAX_BYTES = 1 + DhtRecord.WRITER_BYTES + 1 + DhtRecord.MAX_NAME_BYTES + 8 + 8 + 2
            + DhtRecord.MAX_VALUE_BYTES + Signer.SIGNATURE_BYTES;

    /** A record as it travels and is stored: its signed bytes, what they say, and where it lives. */
    record Signed(DhtRecord record, byte[] encoded, NodeId place) {

        /** Whether this is newer than {@code other} of the same place: larger sequence, then larger bytes (a total order). */
        boolean newerThan(Signed other) {
            if (record.sequence() != other.record.sequence()) {
                return record.sequence() > other.record.sequence();
            }
            return Arrays.compareUnsigned(encoded, other.encoded) > 0;
        }
    }

    private Records() {}

    /** Where the record of this writer and name lives. */
    static NodeId place(byte[] writer, String name) {
        return NodeId.of(NodeId.sha256(PLACE_LABEL, new byte[] {ED25519}, writer, name.getBytes(StandardCharsets.UTF_8)));
    }

    /** Signs a record with the writer's key, which must be the record's writer. */
    static Signed sign(DhtRecord record, Signer signer) {
        if (!Arrays.equals(record.writer(), signer.publicKey())) {
            throw new IllegalArgumentException("record's writer is not the signer's key");
        }
        byte[] body = body(record);
        byte[] signature = signer.sign(labelled(body));
        byte[] encoded = Arrays.copyOf(body, body.length + signature.length);
        System.arraycopy(signature, 0, encoded, body.length, signature.length);
        return new Signed(record, encoded, place(record.writer(), record.name()));
    }

    /**
     * Reads and checks a record from the network: empty for garbage, a bad signature, or a record
     * expired at {@code nowMillis} or expiring later than {@code latestExpiryMillis}; never throws.
     */
    static Optional<Signed> read(byte[] encoded, long nowMillis, long latestExpiryMillis) {
        if (encoded.length > MAX_BYTES || encoded.length < 1 + DhtRecord.WRITER_BYTES + 1 + 1 + 18 + Signer.SIGNATURE_BYTES) {
            return Optional.empty();
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(encoded);
            if (in.get() != ED25519) {
                return Optional.empty();
            }
            byte[] writer = new byte[DhtRecord.WRITER_BYTES];
            in.get(writer);
            byte[] name = new byte[in.get() & 0xff];
            in.get(name);
            long sequence = in.getLong();
            long expiry = in.getLong();
            byte[] value = new byte[in.getShort() & 0xffff];
            in.get(value);
            if (in.remaining() != Signer.SIGNATURE_BYTES || sequence < 0 || expiry <= nowMillis || expiry > latestExpiryMillis) {
                return Optional.empty();
            }
            byte[] signature = new byte[Signer.SIGNATURE_BYTES];
            in.get(signature);
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(name)).toString();
            DhtRecord record = new DhtRecord(writer, text, value, sequence, Instant.ofEpochMilli(expiry));
            int bodyLength = encoded.length - Signer.SIGNATURE_BYTES;
            if (!Signer.verify(writer, labelled(Arrays.copyOf(encoded, bodyLength)), signature)) {
                return Optional.empty();
            }
            return Optional.of(new Signed(record, encoded.clone(), place(writer, text)));
        } catch (RuntimeException | java.nio.charset.CharacterCodingException garbage) {
            return Optional.empty(); // short, names that are not UTF-8 or not names, values too long
        }
    }

    private static byte[] body(DhtRecord record) {
        byte[] name = record.name().getBytes(StandardCharsets.UTF_8);
        byte[] value = record.value();
        ByteBuffer out = ByteBuffer.allocate(1 + DhtRecord.WRITER_BYTES + 1 + name.length + 8 + 8 + 2 + value.length);
        out.put(ED25519).put(record.writer()).put((byte) name.length).put(name)
                .putLong(record.sequence()).putLong(record.expiresAt().toEpochMilli())
                .putShort((short) value.length).put(value);
        return out.array();
    }

    private static byte[] labelled(byte[] body) {
        byte[] out = Arrays.copyOf(SIGNED_LABEL, SIGNED_LABEL.length + body.length);
        System.arraycopy(body, 0, out, SIGNED_LABEL.length, body.length);
        return out;
    }
}
