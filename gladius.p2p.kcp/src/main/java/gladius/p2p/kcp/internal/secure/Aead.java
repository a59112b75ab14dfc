package gladius.p2p.kcp.internal.secure;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * One key of a {@link CipherSuite} with its cipher kept from message to message (with AES-GCM, a
 * cipher looked up and keyed per datagram doubled the event loops' CPU per 1 KiB message:
 * docs/BENCHMARKS.md), sealing and opening in place: the bytes are overwritten where they lie,
 * the tag written after them or read from there. One thread.
 */
final class Aead {

    static final int TAG_BYTES = 16;

    private final CipherSuite suite;
    private final SecretKeySpec key;
    private Cipher cipher;

    Aead(CipherSuite suite, byte[] key) {
        this.suite = suite;
        this.key = suite.key(key);
        this.cipher = suite.newCipher();
    }

    /**
     * Encrypts {@code length} bytes of {@code bytes} from {@code offset} in place under nonce
     * {@code n}, authenticating {@code ad} with them, and writes the tag after them: the array
     * needs {@link #TAG_BYTES} more. Returns the ciphertext's length with its tag.
     */
    int seal(long n, byte[] ad, byte[] bytes, int offset, int length) {
        try {
            suite.init(cipher, Cipher.ENCRYPT_MODE, key, n);
            cipher.updateAAD(ad);
            return cipher.doFinal(bytes, offset, length, bytes, offset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(suite + " failed to seal", e);
        }
    }

    /**
     * The JDK's ChaCha20-Poly1305 refuses the key and nonce of its previous initialisation, in
     * either mode: a forged datagram that failed under counter n would make the real one with n
     * unreadable. A new cipher has no previous initialisation (rare: only after a failed open).
     */
    private void initForOpening(long n) throws GeneralSecurityException {
        try {
            suite.init(cipher, Cipher.DECRYPT_MODE, key, n);
        } catch (InvalidKeyException sameKeyAndNonceAgain) {
            cipher = suite.newCipher();
            suite.init(cipher, Cipher.DECRYPT_MODE, key, n);
        }
    }

    /**
     * Decrypts {@code length} bytes of ciphertext and tag at {@code offset} in place: the
     * plaintext's length, or -1 if they (or {@code ad}) do not authenticate under nonce {@code n}.
     */
    int open(long n, byte[] ad, byte[] bytes, int offset, int length) {
        if (length < TAG_BYTES) {
            return -1;
        }
        try {
            initForOpening(n);
            cipher.updateAAD(ad);
            return cipher.doFinal(bytes, offset, length, bytes, offset);
        } catch (AEADBadTagException forged) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(suite + " failed to open", e);
        }
    }
}
