package gladius.p2p.dht.internal;

import gladius.p2p.dht.DhtRecord;
import gladius.p2p.spi.SignatureVerifier;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * DHT records on the wire (docs/PROTOCOL.md section 9). Kind 1 (Ed25519): the writer's key, the
 * name (u8 length), sequence (u64), expiry (u64 milliseconds since the epoch), the value (u16
 * length), then the writer's signature of all of that behind a domain label. Kind 2 (Ethereum):
 * an ethstate entry as its documentation lays it out (address, name, timestamp as the sequence,
 * value, EIP-191 signature of the entry's payload), which expires {@value #ETHEREUM_TTL_MILLIS} ms
 * after its timestamp and is checked by the {@code eip191} {@link SignatureVerifier} (ethstate's):
 * without one on the module path, no kind 2 record is valid. A record lives at SHA-256 of a label,
 * its kind, writer and name: only its writer can make a record for that place.
 */
final class Records {

    static final byte ED25519 = 1;
    static final byte ETHEREUM = 2;
    /** How long an Ethereum-signed record lives after its timestamp (its writer signs a newer one to keep it). */
    static final long ETHEREUM_TTL_MILLIS = 86_400_000L;
    /** How far ahead of this node's clock an Ethereum-signed record's timestamp may be. */
    static final long ETHEREUM_SKEW_MILLIS = 60_000L;
    static final int ETHEREUM_SIGNATURE_BYTES = 65;
    /** ethstate's payload version (its EthState javadoc). */
    private static final byte ETHSTATE_PAYLOAD_VERSION = 1;
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

    /** Where the record of this writer (an Ed25519 key, or a 20-byte Ethereum address) and name lives. */
    static NodeId place(byte[] writer, String name) {
        byte kind = writer.length == DhtRecord.ETHEREUM_WRITER_BYTES ? ETHEREUM : ED25519;
        return NodeId.of(NodeId.sha256(PLACE_LABEL, new byte[] {kind}, writer, name.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A kind 2 record from an ethstate entry's parts, if its signature checks out and it is not
     * expired at {@code nowMillis} nor from the future.
     */
    static Optional<Signed> ethereum(byte[] address, String name, byte[] value, long timestampMillis, byte[] signature,
                                     long nowMillis) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (address.length != DhtRecord.ETHEREUM_WRITER_BYTES || nameBytes.length == 0 || nameBytes.length > DhtRecord.MAX_NAME_BYTES
                || value.length > DhtRecord.MAX_VALUE_BYTES || signature.length != ETHEREUM_SIGNATURE_BYTES) {
            return Optional.empty();
        }
        byte[] encoded = ByteBuffer.allocate(1 + address.length + 1 + nameBytes.length + 8 + 2 + value.length + signature.length)
                .put(ETHEREUM).put(address).put((byte) nameBytes.length).put(nameBytes).putLong(timestampMillis)
                .putShort((short) value.length).put(value).put(signature).array();
        return read(encoded, nowMillis, Long.MAX_VALUE);
    }

    /** The bytes an ethstate entry's signature signs (its EthState javadoc): version, address, timestamp, key, value. */
    private static byte[] ethstatePayload(byte[] address, long timestampMillis, byte[] name, byte[] value) {
        return ByteBuffer.allocate(1 + address.length + 8 + 2 + name.length + 4 + value.length).put(ETHSTATE_PAYLOAD_VERSION)
                .put(address).putLong(timestampMillis).putShort((short) name.length).put(name).putInt(value.length).put(value)
                .array();
    }

    /** The eip191 verifier on the module path, looked up once. */
    private static final class Eip191 {
        static final Optional<SignatureVerifier> VERIFIER = SignatureVerifier.find(SignatureVerifier.EIP191);
    }

    private static Optional<Signed> readEthereum(byte[] encoded, ByteBuffer in, long nowMillis) throws CharacterCodingException {
        byte[] address = new byte[DhtRecord.ETHEREUM_WRITER_BYTES];
        in.get(address);
        byte[] name = new byte[in.get() & 0xff];
        in.get(name);
        long timestamp = in.getLong();
        byte[] value = new byte[in.getShort() & 0xffff];
        in.get(value);
        if (in.remaining() != ETHEREUM_SIGNATURE_BYTES || timestamp < 0 || timestamp > nowMillis + ETHEREUM_SKEW_MILLIS
                || timestamp > Long.MAX_VALUE - ETHEREUM_TTL_MILLIS || timestamp + ETHEREUM_TTL_MILLIS <= nowMillis) {
            return Optional.empty();
        }
        byte[] signature = new byte[ETHEREUM_SIGNATURE_BYTES];
        in.get(signature);
        String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(name)).toString();
        DhtRecord record = new DhtRecord(address, text, value, timestamp, Instant.ofEpochMilli(timestamp + ETHEREUM_TTL_MILLIS));
        boolean valid = Eip191.VERIFIER.map(v -> v.verify(address, ethstatePayload(address, timestamp, name, value), signature))
                .orElse(false);
        return valid ? Optional.of(new Signed(record, encoded.clone(), place(address, text))) : Optional.empty();
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
        if (encoded.length > MAX_BYTES || encoded.length < 1 + DhtRecord.ETHEREUM_WRITER_BYTES + 1 + 1 + 10 + Signer.SIGNATURE_BYTES) {
            return Optional.empty();
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(encoded);
            byte kind = in.get();
            if (kind == ETHEREUM) {
                return readEthereum(encoded, in, nowMillis);
            }
            if (kind != ED25519) {
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
        } catch (RuntimeException | CharacterCodingException garbage) {
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
