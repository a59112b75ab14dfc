package gladius.p2p.kcp.internal.secure;

import java.util.Arrays;
import java.util.Optional;

/**
 * The keys of one secure session after its handshake: the session's {@link CipherSuite} with
 * explicit 64-bit counters (UDP loses and reorders, so the receiver cannot count), a replay window
 * per key, and rekeying. The sender moves to the next key, Noise's {@code REKEY(k)} (the first 32
 * bytes of encrypting 32 zero bytes under nonce 2^64-1), after {@code rekeyAfterDatagrams}
 * datagrams or {@code rekeyAfterMillis}; each datagram names its key's epoch (one byte, counting
 * up), and the receiver derives the next key when the first datagram of a new epoch
 * authenticates, keeping the previous key for datagrams still on their way. Seals and opens in
 * place, each key's cipher kept. Confined to the event loop.
 */
public final class SecureChannel {

    /** Bytes a sealed datagram's ciphertext has beyond its plaintext. */
    public static final int TAG_BYTES = Aead.TAG_BYTES;

    private static final long MAX_NONCE = -1L; // 2^64 - 1, reserved by Noise for REKEY

    private final CipherSuite suite;
    private final long rekeyAfterDatagrams;
    private final long rekeyAfterMillis;

    private byte[] sendKey;
    private Aead sending;
    private int sendEpoch;
    private long sendCounter;
    private long sendKeySince;

    private Receiving current;
    private Receiving previous;

    /** One receiving key with its epoch and replay window. */
    private static final class Receiving {
        final byte[] key;
        final Aead aead;
        final int epoch;
        final ReplayWindow window = new ReplayWindow();

        Receiving(CipherSuite suite, byte[] key, int epoch) {
            this.key = key;
            this.aead = new Aead(suite, key);
            this.epoch = epoch;
        }
    }

    /** A sealed datagram's parts. */
    public record Sealed(int epoch, long counter, byte[] ciphertext) {}

    public SecureChannel(CipherSuite suite, byte[] sendKey, byte[] receiveKey, long rekeyAfterDatagrams, long rekeyAfterMillis,
                         long now) {
        this.suite = suite;
        this.sendKey = sendKey;
        this.sending = new Aead(suite, sendKey);
        this.sendKeySince = now;
        this.current = new Receiving(suite, receiveKey, 0);
        this.rekeyAfterDatagrams = rekeyAfterDatagrams;
        this.rekeyAfterMillis = rekeyAfterMillis;
    }

    /**
     * Seals {@code length} bytes of {@code bytes} at {@code offset} in place, authenticating
     * {@code header} with them, and writes the tag after them ({@link #TAG_BYTES} more). Moves to
     * the next key first if this one is due. Returns the counter to send with them; their epoch is
     * {@link #sendEpoch()}.
     */
    public long seal(byte[] header, byte[] bytes, int offset, int length, long now) {
        if (sendCounter >= rekeyAfterDatagrams || now - sendKeySince >= rekeyAfterMillis) {
            sendKey = rekey(suite, sendKey);
            sending = new Aead(suite, sendKey);
            sendEpoch = (sendEpoch + 1) & 0xff;
            sendCounter = 0;
            sendKeySince = now;
        }
        long counter = sendCounter++;
        sending.seal(counter, header, bytes, offset, length);
        return counter;
    }

    /** As {@link #seal(byte[], byte[], int, int, long)}, into a new array. */
    public Sealed seal(byte[] header, byte[] plaintext, long now) {
        byte[] bytes = Arrays.copyOf(plaintext, plaintext.length + TAG_BYTES);
        long counter = seal(header, bytes, 0, plaintext.length, now);
        return new Sealed(sendEpoch, counter, bytes);
    }

    /**
     * Opens {@code length} bytes of ciphertext and tag at {@code offset} of {@code bytes} in
     * place: the plaintext's length, or -1 if the datagram does not authenticate, names an epoch
     * that is neither the current key's, the previous one's nor the next, or was seen before.
     */
    public int open(byte[] header, int epoch, long counter, byte[] bytes, int offset, int length) {
        if (epoch == current.epoch) {
            return open(current, header, counter, bytes, offset, length);
        }
        if (previous != null && epoch == previous.epoch) {
            return open(previous, header, counter, bytes, offset, length);
        }
        if (epoch == ((current.epoch + 1) & 0xff)) {
            Receiving next = new Receiving(suite, rekey(suite, current.key), epoch);
            int opened = open(next, header, counter, bytes, offset, length);
            if (opened >= 0) {
                previous = current;
                current = next;
            }
            return opened;
        }
        return -1;
    }

    /** As {@link #open(byte[], int, long, byte[], int, int)}, from and into new arrays. */
    public Optional<byte[]> open(byte[] header, int epoch, long counter, byte[] ciphertext) {
        byte[] bytes = ciphertext.clone();
        int length = open(header, epoch, counter, bytes, 0, bytes.length);
        return length < 0 ? Optional.empty() : Optional.of(Arrays.copyOf(bytes, length));
    }

    public int sendEpoch() {
        return sendEpoch;
    }

    private static int open(Receiving receiving, byte[] header, long counter, byte[] bytes, int offset, int length) {
        if (!receiving.window.mayAccept(counter)) {
            return -1;
        }
        int opened = receiving.aead.open(counter, header, bytes, offset, length);
        if (opened >= 0) {
            receiving.window.accept(counter);
        }
        return opened;
    }

    /** Noise's REKEY: the same for both suites. */
    static byte[] rekey(CipherSuite suite, byte[] key) {
        return Arrays.copyOf(NoiseXX.seal(suite, key, MAX_NONCE, new byte[0], new byte[32]), 32);
    }
}
