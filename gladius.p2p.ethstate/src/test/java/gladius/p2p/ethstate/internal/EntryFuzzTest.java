package gladius.p2p.ethstate.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.testing.Fuzz;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Generated ethstate bodies: the parsers never throw, and never return more than the bytes can hold. */
class EntryFuzzTest {

    @Test
    void entriesParseWithinTheirLimitsOrAreRefused() {
        Fuzz.run("ethstate entries", 200_000, 31, random -> {
            byte[] body = Fuzz.bytes(random, 2000, 40);
            if (body.length >= 7 && random.nextBoolean()) {
                ByteBuffer.wrap(body).put((byte) 1).putShort((short) 1).putInt(body.length - 7 - 65); // one entry, length agreeing
            }
            EntryCodec.parseEntries(ByteBuffer.wrap(body), 16_384).ifPresent(entries -> entries.forEach(entry ->
                    assertTrue(entry.value().length <= 16_384 && entry.payload().length <= body.length && entry.signature().length == 65)));
        });
    }

    @Test
    void digestsParseWithinTheirLimitsOrAreRefused() {
        Fuzz.run("ethstate digests", 200_000, 32, random -> {
            byte[] body = Fuzz.bytes(random, 2000, 42);
            if (body.length >= 6 && random.nextBoolean()) {
                ByteBuffer.wrap(body).put((byte) 1).put((byte) random.nextInt(2)).putInt((body.length - 6) / EntryCodec.DIGEST_ITEM_BYTES);
            }
            EntryCodec.parseDigest(ByteBuffer.wrap(body), 20_000).ifPresent(digest ->
                    assertTrue(digest.items().size() * EntryCodec.DIGEST_ITEM_BYTES <= body.length));
        });
    }

    @Test
    void keystoreJsonNeverThrowsAnythingButIllegalArgument() {
        String alphabet = "{}[]\\\":,.-+0123456789eEtruefalsnl \\u00e9x";
        Fuzz.run("keystore json", 50_000, 33, random -> {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(120); i > 0; i--) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            try {
                Json.parse(text.toString());
            } catch (IllegalArgumentException refused) {
                // refused with a message: fine
            }
        });
    }
}
