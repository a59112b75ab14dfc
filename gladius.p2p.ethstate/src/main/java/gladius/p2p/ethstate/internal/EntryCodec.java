package gladius.p2p.ethstate.internal;

import gladius.p2p.ethstate.EthState;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The wire format that {@link EthState}'s javadoc documents: payloads, entries, and the two
 * message bodies. Decoders check every length against what is left and against the limits
 * before allocating, and return empty on any violation.
 */
final class EntryCodec {

    static final byte VERSION = 1;
    static final int ADDRESS_BYTES = 20;
    static final int MAX_KEY_BYTES = 255;
    static final int KEY_HASH_BYTES = 8;
    static final int DIGEST_ITEM_BYTES = ADDRESS_BYTES + KEY_HASH_BYTES + 8;
    private static final int PAYLOAD_HEADER = 1 + ADDRESS_BYTES + 8 + 2 + 4;

    private EntryCodec() {}

    /** An entry as it travels: the payload fields, the payload bytes that were signed, and the signature. */
    record Signed(byte[] address, long timestampMillis, String key, byte[] value, byte[] payload, byte[] signature) {}

    /** One line of a digest. */
    record DigestItem(byte[] address, long keyHash, long timestampMillis) {}

    /** A parsed digest. */
    record Digest(boolean reply, List<DigestItem> items) {}

    static byte[] payload(byte[] address, long timestampMillis, byte[] key, byte[] value) {
        return ByteBuffer.allocate(PAYLOAD_HEADER + key.length + value.length).put(VERSION).put(address)
                .putLong(timestampMillis).putShort((short) key.length).put(key).putInt(value.length).put(value).array();
    }

    /** The first 8 bytes of keccak256(key), as a digest names a key. */
    static long keyHash(String key) {
        return ByteBuffer.wrap(Keccak.hash256(key.getBytes(StandardCharsets.UTF_8))).getLong();
    }

    // ------------------------------------------------------------------ entries message

    /** Bodies of ENTRIES messages holding these entries, each at most maxBodyBytes (one entry per body at least). */
    static List<byte[]> entriesMessages(List<Signed> entries, int maxBodyBytes) {
        List<byte[]> bodies = new ArrayList<>();
        int start = 0;
        while (start < entries.size()) {
            int size = 3;
            int end = start;
            while (end < entries.size() && end - start < 0xffff) {
                int next = 4 + entries.get(end).payload.length + Secp256k1.SIGNATURE_BYTES;
                if (end > start && size + next > maxBodyBytes) {
                    break;
                }
                size += next;
                end++;
            }
            ByteBuffer body = ByteBuffer.allocate(size).put(VERSION).putShort((short) (end - start));
            for (Signed entry : entries.subList(start, end)) {
                body.putInt(entry.payload.length).put(entry.payload).put(entry.signature);
            }
            bodies.add(body.array());
            start = end;
        }
        return bodies;
    }

    /** The entries of an ENTRIES body, or empty if any part breaks the format or the limits. */
    static Optional<List<Signed>> parseEntries(ByteBuffer body, int maxValueBytes) {
        ByteBuffer in = body.duplicate();
        try {
            if (in.get() != VERSION) {
                return Optional.empty();
            }
            int count = Short.toUnsignedInt(in.getShort());
            List<Signed> entries = new ArrayList<>(Math.min(count, 1024));
            for (int i = 0; i < count; i++) {
                int length = in.getInt();
                if (length < PAYLOAD_HEADER || length > in.remaining() - Secp256k1.SIGNATURE_BYTES) {
                    return Optional.empty();
                }
                byte[] payload = new byte[length];
                in.get(payload);
                byte[] signature = new byte[Secp256k1.SIGNATURE_BYTES];
                in.get(signature);
                Optional<Signed> entry = parsePayload(payload, signature, maxValueBytes);
                if (entry.isEmpty()) {
                    return Optional.empty();
                }
                entries.add(entry.get());
            }
            return in.hasRemaining() ? Optional.empty() : Optional.of(entries);
        } catch (BufferUnderflowException e) {
            return Optional.empty();
        }
    }

    private static Optional<Signed> parsePayload(byte[] payload, byte[] signature, int maxValueBytes) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        if (in.get() != VERSION) {
            return Optional.empty();
        }
        byte[] address = new byte[ADDRESS_BYTES];
        in.get(address);
        long timestamp = in.getLong();
        int keyLength = Short.toUnsignedInt(in.getShort());
        if (keyLength == 0 || keyLength > MAX_KEY_BYTES || keyLength > in.remaining() - 4) {
            return Optional.empty();
        }
        byte[] keyBytes = new byte[keyLength];
        in.get(keyBytes);
        int valueLength = in.getInt();
        if (valueLength < 0 || valueLength > maxValueBytes || valueLength != in.remaining()) {
            return Optional.empty();
        }
        Optional<String> key = strictUtf8(keyBytes);
        return key.map(k -> new Signed(address, timestamp, k, Arrays.copyOfRange(payload, payload.length - valueLength,
                payload.length), payload, signature));
    }

    private static Optional<String> strictUtf8(byte[] bytes) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return Optional.of(chars.toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------ digest message

    static byte[] digest(boolean reply, List<DigestItem> items) {
        ByteBuffer body = ByteBuffer.allocate(6 + items.size() * DIGEST_ITEM_BYTES).put(VERSION).put((byte) (reply ? 1 : 0))
                .putInt(items.size());
        for (DigestItem item : items) {
            body.put(item.address).putLong(item.keyHash).putLong(item.timestampMillis);
        }
        return body.array();
    }

    /** A DIGEST body, or empty if it breaks the format or lists more than maxItems. */
    static Optional<Digest> parseDigest(ByteBuffer body, int maxItems) {
        ByteBuffer in = body.duplicate();
        try {
            if (in.get() != VERSION) {
                return Optional.empty();
            }
            int flags = in.get();
            int count = in.getInt();
            if ((flags & ~1) != 0 || count < 0 || count > maxItems || (long) count * DIGEST_ITEM_BYTES != in.remaining()) {
                return Optional.empty();
            }
            List<DigestItem> items = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] address = new byte[ADDRESS_BYTES];
                in.get(address);
                items.add(new DigestItem(address, in.getLong(), in.getLong()));
            }
            return Optional.of(new Digest(flags == 1, items));
        } catch (BufferUnderflowException e) {
            return Optional.empty();
        }
    }
}
