package gladius.p2p.kcp.internal.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Counters, replays and rekeying of sealed datagrams. */
class SecureChannelTest {

    /** The associated data a session authenticates with each datagram: its header, sender tag 1, receiver tag 2. */
    private static final byte[] HEADER = header(2);

    private static byte[] header(int receiverTag) {
        return new byte[] {0x47, 1, 10, 0, 0, 0, 1, 0, 0, 0, (byte) receiverTag};
    }

    private static byte[] key(int fill) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) fill);
        return key;
    }

    @Test
    void theReplayWindowTakesEachCounterOnceAndForgetsWhatIsTooOld() {
        ReplayWindow window = new ReplayWindow();
        List<Long> order = new ArrayList<>();
        for (long i = 0; i < 3000; i++) {
            order.add(i);
        }
        Random random = new Random(3);
        for (int chunk = 0; chunk < 3000; chunk += 500) {
            Collections.shuffle(order.subList(chunk, chunk + 500), random); // reordered, but within the window
        }
        for (long counter : order) {
            assertTrue(window.mayAccept(counter), "new: " + counter);
            window.accept(counter);
            assertFalse(window.mayAccept(counter), "seen: " + counter);
        }
        assertFalse(window.mayAccept(2999 - ReplayWindow.SIZE), "older than the window");
        assertTrue(window.mayAccept(1L << 40), "far ahead is new");
        window.accept(1L << 40);
        assertFalse(window.mayAccept(2999), "the jump forgot everything behind it");
        assertFalse(window.mayAccept(-1));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void rekeyingIsInvisibleToTheReceiverEvenWhenDatagramsCrossTheBoundaryOutOfOrder(CipherSuite suite) {
        SecureChannel sender = new SecureChannel(suite, key(1), key(2), 10, Long.MAX_VALUE, 0);
        SecureChannel receiver = new SecureChannel(suite, key(2), key(1), 10, Long.MAX_VALUE, 0);
        List<SecureChannel.Sealed> sent = new ArrayList<>();
        for (int i = 0; i < 35; i++) {
            sent.add(sender.seal(HEADER, new byte[] {(byte) i}, i));
        }
        assertEquals(3, sender.sendEpoch(), "a new key every 10 datagrams");
        // Deliver epoch by epoch, each reversed, with the last two of one epoch after the first of the next.
        List<SecureChannel.Sealed> arrival = new ArrayList<>(sent);
        Collections.swap(arrival, 9, 11);
        for (SecureChannel.Sealed sealed : arrival) {
            Optional<byte[]> plain = receiver.open(HEADER, sealed.epoch(), sealed.counter(), sealed.ciphertext());
            assertTrue(plain.isPresent(), "epoch " + sealed.epoch() + " counter " + sealed.counter());
            assertEquals(sent.indexOf(sealed), plain.get()[0]);
        }
        SecureChannel.Sealed replay = sent.get(34);
        assertEquals(Optional.empty(), receiver.open(HEADER, replay.epoch(), replay.counter(), replay.ciphertext()), "replayed");
        // The receiver is at epoch 3. A datagram sealed under the real key of epoch 5 is refused for being two
        // ahead; once epoch 4 is in, the very same datagram is one ahead and opens, so only the rule refused it.
        byte[] key4 = key(1);
        for (int i = 0; i < 4; i++) {
            key4 = SecureChannel.rekey(suite, key4);
        }
        SecureChannel.Sealed fourth = new SecureChannel(suite, key4, key(2), 100, Long.MAX_VALUE, 0).seal(HEADER, new byte[] {4}, 0);
        SecureChannel.Sealed fifth = new SecureChannel(suite, SecureChannel.rekey(suite, key4), key(2), 100, Long.MAX_VALUE, 0)
                .seal(HEADER, new byte[] {5}, 0);
        assertEquals(Optional.empty(), receiver.open(HEADER, 5, fifth.counter(), fifth.ciphertext()), "two epochs ahead is refused");
        assertArrayEquals(new byte[] {4}, receiver.open(HEADER, 4, fourth.counter(), fourth.ciphertext()).orElseThrow(), "one ahead opens");
        assertArrayEquals(new byte[] {5}, receiver.open(HEADER, 5, fifth.counter(), fifth.ciphertext()).orElseThrow(),
                "the refused datagram was sealed right");
        assertNotEquals(java.util.HexFormat.of().formatHex(key(1)), java.util.HexFormat.of().formatHex(SecureChannel.rekey(suite, key(1))));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void aTamperedHeaderOrEpochDoesNotAuthenticate(CipherSuite suite) {
        SecureChannel sender = new SecureChannel(suite, key(1), key(2), 100, Long.MAX_VALUE, 0);
        SecureChannel receiver = new SecureChannel(suite, key(2), key(1), 100, Long.MAX_VALUE, 0);
        SecureChannel.Sealed sealed = sender.seal(HEADER, new byte[] {7}, 0);
        assertEquals(Optional.empty(), receiver.open(header(3), 0, 0, sealed.ciphertext()));
        assertEquals(Optional.empty(), receiver.open(HEADER, 1, 0, sealed.ciphertext()));
        assertArrayEquals(new byte[] {7}, receiver.open(HEADER, 0, 0, sealed.ciphertext()).orElseThrow(), "a failed try consumed nothing");
    }

    @Test
    void theTwoSuitesSealDifferentlyUnderTheSameKey() {
        SecureChannel.Sealed aes = new SecureChannel(CipherSuite.AES_GCM, key(1), key(2), 100, Long.MAX_VALUE, 0).seal(HEADER, new byte[8], 0);
        SecureChannel.Sealed chacha = new SecureChannel(CipherSuite.CHACHA_POLY, key(2), key(1), 100, Long.MAX_VALUE, 0).seal(HEADER, new byte[8], 0);
        assertEquals(Optional.empty(), new SecureChannel(CipherSuite.CHACHA_POLY, key(2), key(1), 100, Long.MAX_VALUE, 0)
                .open(HEADER, 0, 0, aes.ciphertext()), "AES-GCM's datagram does not open as ChaCha20-Poly1305");
        assertEquals(Optional.empty(), new SecureChannel(CipherSuite.AES_GCM, key(1), key(2), 100, Long.MAX_VALUE, 0)
                .open(HEADER, 0, 0, chacha.ciphertext()), "nor the other way round");
    }
}
