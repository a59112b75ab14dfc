package gladius.p2p.dht.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.dht.DhtRecord;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Record validation: a record is taken only whole, signed by its writer, unexpired, and newest wins. */
class RecordsTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final long LATEST = NOW + 86_400_000L;
    private final Signer writer = Signer.generate(new SecureRandom());

    private Records.Signed record(String name, String value, long sequence, long expiresAt) {
        return Records.sign(new DhtRecord(writer.publicKey(), name, value.getBytes(StandardCharsets.UTF_8), sequence,
                Instant.ofEpochMilli(expiresAt)), writer);
    }

    @Test
    void aSignedRecordReadsBackAsWritten() {
        Records.Signed signed = record("greeting", "hello", 3, NOW + 1000);
        Records.Signed read = Records.read(signed.encoded(), NOW, LATEST).orElseThrow();
        assertEquals(signed.record(), read.record());
        assertEquals(Records.place(writer.publicKey(), "greeting"), read.place());
        assertEquals(HexFormat.of().formatHex(writer.publicKey()) + "/greeting", read.record().path());
    }

    @Test
    void theSameSecretGivesTheSameKeyAndRfc8032sFirstVector() {
        // RFC 8032 section 7.1, test 1.
        byte[] secret = HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        Signer s = Signer.fromSecret(secret);
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", HexFormat.of().formatHex(s.publicKey()));
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
                + "d25bf5f0595bbe24655141438e7a100b", HexFormat.of().formatHex(s.sign(new byte[0])));
        assertArrayEquals(s.publicKey(), Signer.fromSecret(secret).publicKey());
    }

    @Test
    void aChangeToAnyByteIsRefused() {
        byte[] encoded = record("n", "value", 1, NOW + 1000).encoded();
        for (int i = 0; i < encoded.length; i++) {
            byte[] tampered = encoded.clone();
            tampered[i] ^= 0x01;
            assertTrue(Records.read(tampered, NOW, LATEST).isEmpty(), "byte " + i + " changed");
        }
        for (int cut = 0; cut < encoded.length; cut++) {
            assertTrue(Records.read(java.util.Arrays.copyOf(encoded, cut), NOW, LATEST).isEmpty(), "cut at " + cut);
        }
    }

    @Test
    void anotherWritersSignatureIsRefused() {
        Signer other = Signer.generate(new SecureRandom());
        byte[] mine = record("n", "v", 1, NOW + 1000).encoded();
        byte[] theirs = Records.sign(new DhtRecord(other.publicKey(), "n", "v".getBytes(StandardCharsets.UTF_8), 1,
                Instant.ofEpochMilli(NOW + 1000)), other).encoded();
        byte[] forged = mine.clone(); // my record, their signature
        System.arraycopy(theirs, theirs.length - Signer.SIGNATURE_BYTES, forged, forged.length - Signer.SIGNATURE_BYTES,
                Signer.SIGNATURE_BYTES);
        assertTrue(Records.read(forged, NOW, LATEST).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> Records.sign(Records.read(theirs, NOW, LATEST).orElseThrow().record(), writer));
    }

    @Test
    void anExpiredRecordOrOneThatLivesTooLongIsRefused() {
        assertTrue(Records.read(record("n", "v", 1, NOW).encoded(), NOW, LATEST).isEmpty(), "expired now");
        assertTrue(Records.read(record("n", "v", 1, LATEST + 1).encoded(), NOW, LATEST).isEmpty(), "past the longest TTL");
        assertTrue(Records.read(record("n", "v", 1, LATEST).encoded(), NOW, LATEST).isPresent());
    }

    @Test
    void theStoreKeepsTheNewestAndRefusesAnOlderOne() {
        RecordStore store = new RecordStore(100, 1 << 20, 20);
        Records.Signed v1 = record("n", "one", 1, NOW + 1000);
        Records.Signed v2 = record("n", "two", 2, NOW + 1000);
        assertEquals(RecordStore.Outcome.STORED, store.put(v2));
        assertEquals(RecordStore.Outcome.KEPT_NEWER, store.put(v1));
        assertEquals(RecordStore.Outcome.KEPT_NEWER, store.put(v2), "the same one again changes nothing");
        assertArrayEquals("two".getBytes(StandardCharsets.UTF_8), store.get(v1.place(), NOW).orElseThrow().record().value());
        assertTrue(v2.newerThan(v1));
        assertFalse(v1.newerThan(v2));
        assertTrue(store.get(v1.place(), NOW + 1000).isEmpty(), "gone once expired");
        assertEquals(0, store.bytes());
    }

    @Test
    void aFullStoreRefusesAndCounts() {
        RecordStore store = new RecordStore(2, 1 << 20, 20);
        assertEquals(RecordStore.Outcome.STORED, store.put(record("a", "v", 1, NOW + 1000)));
        assertEquals(RecordStore.Outcome.STORED, store.put(record("b", "v", 1, NOW + 1000)));
        assertEquals(RecordStore.Outcome.FULL, store.put(record("c", "v", 1, NOW + 1000)));
        assertEquals(RecordStore.Outcome.STORED, store.put(record("a", "v2", 2, NOW + 1000)), "a newer one of a held place fits");
        assertFalse(store.addProvider(NodeId.random(java.util.random.RandomGenerator.getDefault()), NodeId.random(
                java.util.random.RandomGenerator.getDefault()), new byte[1], NOW + 1000));
        assertEquals(2, store.refused());
        RecordStore small = new RecordStore(100, 200, 20);
        assertEquals(RecordStore.Outcome.STORED, small.put(record("a", "v", 1, NOW + 1000)));
        assertEquals(RecordStore.Outcome.FULL, small.put(record("b", "x".repeat(100), 1, NOW + 1000)), "bytes bound");
    }

    @Test
    void badArgumentsNameWhatIsWrong() {
        byte[] key = writer.publicKey();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DhtRecord(key, "", new byte[0], 0, Instant.EPOCH))
                .getMessage().contains("name"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new DhtRecord(key, "n", new byte[DhtRecord.MAX_VALUE_BYTES + 1], 0, Instant.EPOCH)).getMessage().contains("value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DhtRecord(new byte[3], "n", new byte[0], 0, Instant.EPOCH))
                .getMessage().contains("writer"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DhtRecord(key, "n", new byte[0], -1, Instant.EPOCH))
                .getMessage().contains("sequence"));
    }
}
