package gladius.p2p.ethstate.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** Generated ethstate bodies: the parsers never throw, and never return more than the bytes can hold. */
class EntryFuzzTest {

    @Property(tries = 200_000)
    void entriesParseWithinTheirLimitsOrAreRefused(@ForAll @Size(max = 2000) byte[] body, @ForAll boolean wellFormedStart) {
        if (wellFormedStart && body.length >= 3) {
            body[0] = 1;
            body[1] = 0; // a small count, so the entries themselves are parsed
        }
        EntryCodec.parseEntries(ByteBuffer.wrap(body), 16_384).ifPresent(entries -> entries.forEach(entry ->
                assertTrue(entry.value().length <= 16_384 && entry.payload().length <= body.length && entry.signature().length == 65)));
    }

    @Property(tries = 200_000)
    void digestsParseWithinTheirLimitsOrAreRefused(@ForAll @Size(max = 2000) byte[] body) {
        EntryCodec.parseDigest(ByteBuffer.wrap(body), 20_000).ifPresent(digest ->
                assertTrue(digest.items().size() * EntryCodec.DIGEST_ITEM_BYTES <= body.length));
    }

    @Property(tries = 20_000)
    void keystoreJsonNeverThrowsAnythingButIllegalArgument(@ForAll @Size(max = 300) String text) {
        try {
            Json.parse(text);
        } catch (IllegalArgumentException expected) {
            // refused with a message: fine
        }
    }
}
