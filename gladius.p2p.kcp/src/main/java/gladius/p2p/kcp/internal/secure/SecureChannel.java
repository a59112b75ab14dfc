package gladius.p2p.kcp.internal.secure;

import java.util.Arrays;
import java.util.Optional;

/**
 * The keys of one secure session after its handshake: ChaCha20-Poly1305 with explicit 64-bit
 * counters (UDP loses and reorders, so the receiver cannot count), a replay window per key, and
 * rekeying. The sender moves to the next key, Noise's {@code REKEY(k)} (the first 32 bytes of
 * encrypting 32 zero bytes under nonce 2^64-1), after {@code rekeyAfterDatagrams} datagrams or
 * {@code rekeyAfterMillis}; each datagram names its key's epoch (one byte, counting up), and the
 * receiver derives the next key when the first datagram of a new epoch authenticates, keeping
 * the previous key for datagrams still on their way. Confined to the event loop.
 */
public final class SecureChannel {

    private static final long MAX_NONCE = -1L; // 2^64 - 1, reserved by Noise for REKEY

    private final long rekeyAfterDatagrams;
    private final long rekeyAfterMillis;

    private byte[] sendKey;
    private int sendEpoch;
    private long sendCounter;
    private long sendKeySince;

    private Receiving current;
    private Receiving previous;

    /** One receiving key with its epoch and replay window. */
    private static final class Receiving {
        final byte[] key;
        final int epoch;
        final ReplayWindow window = new ReplayWindow();

        Receiving(byte[] key, int epoch) {
            this.key = key;
            this.epoch = epoch;
        }
    }

    /** A sealed datagram's parts. */
    public record Sealed(int epoch, long counter, byte[] ciphertext) {}

    public SecureChannel(byte[] sendKey, byte[] receiveKey, long rekeyAfterDatagrams, long rekeyAfterMillis, long now) {
        this.sendKey = sendKey;
        this.sendKeySince = now;
        this.current = new Receiving(receiveKey, 0);
        this.rekeyAfterDatagrams = rekeyAfterDatagrams;
        this.rekeyAfterMillis = rekeyAfterMillis;
    }

    public Sealed seal(byte[] header, byte[] plaintext, long now) {
        if (sendCounter >= rekeyAfterDatagrams || now - sendKeySince >= rekeyAfterMillis) {
            sendKey = rekey(sendKey);
            sendEpoch = (sendEpoch + 1) & 0xff;
            sendCounter = 0;
            sendKeySince = now;
        }
        long counter = sendCounter++;
        return new Sealed(sendEpoch, counter, NoiseXX.seal(sendKey, counter, header, plaintext));
    }

    /** The plaintext, or empty if the datagram does not authenticate or was seen before. */
    public Optional<byte[]> open(byte[] header, int epoch, long counter, byte[] ciphertext) {
        if (epoch == current.epoch) {
            return open(current, header, counter, ciphertext);
        }
        if (previous != null && epoch == previous.epoch) {
            return open(previous, header, counter, ciphertext);
        }
        if (epoch == ((current.epoch + 1) & 0xff)) {
            Receiving next = new Receiving(rekey(current.key), epoch);
            Optional<byte[]> plain = open(next, header, counter, ciphertext);
            if (plain.isPresent()) {
                previous = current;
                current = next;
            }
            return plain;
        }
        return Optional.empty();
    }

    int sendEpoch() {
        return sendEpoch;
    }

    private static Optional<byte[]> open(Receiving receiving, byte[] header, long counter, byte[] ciphertext) {
        if (!receiving.window.mayAccept(counter)) {
            return Optional.empty();
        }
        Optional<byte[]> plain = NoiseXX.open(receiving.key, counter, header, ciphertext);
        plain.ifPresent(unused -> receiving.window.accept(counter));
        return plain;
    }

    /** Noise's REKEY for ChaChaPoly. */
    static byte[] rekey(byte[] key) {
        return Arrays.copyOf(NoiseXX.seal(key, MAX_NONCE, new byte[0], new byte[32]), 32);
    }
}
