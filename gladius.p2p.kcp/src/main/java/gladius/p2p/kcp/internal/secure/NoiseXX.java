package gladius.p2p.kcp.internal.secure;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Noise handshake {@code Noise_XX_25519_ChaChaPoly_SHA256} or
 * {@code Noise_XX_25519_AESGCM_SHA256} ({@link CipherSuite}), as the Noise Protocol Framework
 * (revision 34) defines it, on the JDK's own X25519, ChaCha20-Poly1305 or AES-GCM, SHA-256 and
 * HMAC: no dependency beyond the JDK. One instance runs one handshake, as initiator or responder:
 *
 * <pre>
 *   XX:  -&gt; e
 *        &lt;- e, ee, s, es
 *        -&gt; s, se
 * </pre>
 *
 * After the third message, {@link #split()} gives the two transport keys. A message that does not
 * authenticate fails the handshake for good ({@link #failed()}); nothing it carried is kept.
 */
public final class NoiseXX {

    static final int KEY_BYTES = 32;
    public static final int TAG_BYTES = Aead.TAG_BYTES;
    /** Sizes of the three messages with empty payloads. */
    public static final int MESSAGE_1 = 32;
    public static final int MESSAGE_2 = 32 + 48 + TAG_BYTES;
    public static final int MESSAGE_3 = 48 + TAG_BYTES;

    private final boolean initiator;
    private final CipherSuite suite;
    private final KeyPair staticKey;
    private KeyPair ephemeral;
    private byte[] remoteEphemeral;
    private byte[] remoteStatic;
    private byte[] h;
    private byte[] ck;
    private byte[] k; // null until the first MixKey
    private long n;
    private int step; // messages done, 0..3
    private boolean failed;

    /** An X25519 key pair: 32-byte private scalar and 32-byte public u-coordinate, both as on the wire. */
    public record KeyPair(byte[] privateKey, byte[] publicKey) {
        public static KeyPair fromPrivate(byte[] privateKey) {
            if (privateKey.length != KEY_BYTES) {
                throw new IllegalArgumentException("an X25519 private key is 32 bytes, not " + privateKey.length);
            }
            byte[] basePoint = new byte[KEY_BYTES];
            basePoint[0] = 9;
            return new KeyPair(privateKey.clone(), dh(privateKey, basePoint)
                    .orElseThrow(() -> new IllegalArgumentException("not a usable X25519 private key")));
        }

        public static KeyPair generate(SecureRandom random) {
            byte[] privateKey = new byte[KEY_BYTES];
            random.nextBytes(privateKey);
            return fromPrivate(privateKey);
        }
    }

    public NoiseXX(boolean initiator, CipherSuite suite, KeyPair staticKey, byte[] prologue) {
        this.initiator = initiator;
        this.suite = suite;
        this.staticKey = staticKey;
        byte[] name = suite.protocolName();
        // Noise 5.2: a name of at most HASHLEN bytes is used padded with zeros, a longer one hashed.
        this.h = name.length <= 32 ? Arrays.copyOf(name, 32) : sha256(name, new byte[0]);
        this.ck = h.clone();
        mixHash(prologue);
    }

    /** For the published test vectors only: a fixed ephemeral key instead of a fresh one. */
    NoiseXX withEphemeral(KeyPair fixed) {
        this.ephemeral = fixed;
        return this;
    }

    boolean isInitiator() {
        return initiator;
    }

    boolean complete() {
        return step == 3 && !failed;
    }

    public boolean failed() {
        return failed;
    }

    /** @return the peer's static public key, once its message carrying it has authenticated */
    public Optional<byte[]> remoteStatic() {
        return Optional.ofNullable(remoteStatic).map(byte[]::clone);
    }

    byte[] handshakeHash() {
        return h.clone();
    }

    /** Whether it is this side's turn to write. */
    boolean writesNext() {
        return !failed && step < 3 && (step % 2 == 0) == initiator;
    }

    /**
     * Writes the next handshake message.
     *
     * @param payload carried after the tokens (encrypted from the second message on)
     * @return the message, or empty if the peer's ephemeral key gives no usable secret (a
     *     low-order point): the handshake has then failed
     */
    public Optional<byte[]> writeMessage(byte[] payload, SecureRandom random) {
        if (!writesNext()) {
            throw new IllegalStateException("not this side's turn to write (step " + step + ")");
        }
        try {
            return Optional.of(write(payload, random));
        } catch (Bad lowOrder) {
            failed = true;
            return Optional.empty();
        }
    }

    private byte[] write(byte[] payload, SecureRandom random) {
        Buffer out = new Buffer();
        switch (step) {
            case 0 -> {
                writeEphemeral(out, random);
            }
            case 1 -> {
                writeEphemeral(out, random);
                mixKey(dhOrFail(ephemeral.privateKey, remoteEphemeral));
                out.add(encryptAndHash(staticKey.publicKey));
                mixKey(dhOrFail(staticKey.privateKey, remoteEphemeral));
            }
            default -> {
                out.add(encryptAndHash(staticKey.publicKey));
                mixKey(dhOrFail(staticKey.privateKey, remoteEphemeral));
            }
        }
        out.add(encryptAndHash(payload));
        step++;
        return out.bytes();
    }

    /**
     * Reads the peer's next handshake message.
     *
     * @return its payload, or empty if the message is malformed or does not authenticate (the
     *     handshake has then failed)
     */
    public Optional<byte[]> readMessage(byte[] message) {
        if (failed || step >= 3 || (step % 2 == 0) == initiator) {
            return Optional.empty();
        }
        try {
            int at = 0;
            Optional<byte[]> payload;
            switch (step) {
                case 0 -> {
                    at = readEphemeral(message, at);
                    payload = decryptAndHash(Arrays.copyOfRange(message, at, message.length));
                }
                case 1 -> {
                    at = readEphemeral(message, at);
                    mixKey(dhOrFail(ephemeral.privateKey, remoteEphemeral));
                    remoteStatic = decryptAndHash(slice(message, at, 48)).orElseThrow(Bad::new);
                    at += 48;
                    mixKey(dhOrFail(ephemeral.privateKey, remoteStatic));
                    payload = decryptAndHash(Arrays.copyOfRange(message, at, message.length));
                }
                default -> {
                    remoteStatic = decryptAndHash(slice(message, at, 48)).orElseThrow(Bad::new);
                    at += 48;
                    mixKey(dhOrFail(ephemeral.privateKey, remoteStatic));
                    payload = decryptAndHash(Arrays.copyOfRange(message, at, message.length));
                }
            }
            if (payload.isEmpty()) {
                throw new Bad();
            }
            step++;
            return payload;
        } catch (Bad | ArrayIndexOutOfBoundsException e) {
            failed = true;
            remoteStatic = null;
            return Optional.empty();
        }
    }

    /** The transport keys: the initiator's sending key first. */
    public byte[][] split() {
        if (!complete()) {
            throw new IllegalStateException("the handshake is not complete");
        }
        byte[][] keys = hkdf(ck, new byte[0]);
        return initiator ? keys : new byte[][] {keys[1], keys[0]};
    }

    // ------------------------------------------------------------------ tokens

    private void writeEphemeral(Buffer out, SecureRandom random) {
        if (ephemeral == null) {
            ephemeral = KeyPair.generate(random);
        }
        out.add(ephemeral.publicKey);
        mixHash(ephemeral.publicKey);
    }

    private int readEphemeral(byte[] message, int at) {
        remoteEphemeral = slice(message, at, KEY_BYTES);
        mixHash(remoteEphemeral);
        return at + KEY_BYTES;
    }

    private static byte[] slice(byte[] message, int at, int length) {
        if (message.length < at + length) {
            throw new Bad();
        }
        return Arrays.copyOfRange(message, at, at + length);
    }

    // ------------------------------------------------------------------ symmetric state

    private void mixHash(byte[] data) {
        h = sha256(h, data);
    }

    private void mixKey(byte[] input) {
        byte[][] out = hkdf(ck, input);
        ck = out[0];
        k = out[1];
        n = 0;
    }

    private byte[] encryptAndHash(byte[] plaintext) {
        byte[] ciphertext = k == null ? plaintext.clone() : seal(suite, k, n++, h, plaintext);
        mixHash(ciphertext);
        return ciphertext;
    }

    private Optional<byte[]> decryptAndHash(byte[] ciphertext) {
        Optional<byte[]> plaintext = k == null ? Optional.of(ciphertext.clone()) : open(suite, k, n, h, ciphertext);
        if (plaintext.isPresent()) {
            if (k != null) {
                n++;
            }
            mixHash(ciphertext);
        }
        return plaintext;
    }

    // ------------------------------------------------------------------ primitives

    /** Noise's HKDF with two outputs. */
    static byte[][] hkdf(byte[] chainingKey, byte[] input) {
        byte[] temp = hmac(chainingKey, input);
        byte[] first = hmac(temp, new byte[] {1});
        byte[] second = hmac(temp, concat(first, new byte[] {2}));
        return new byte[][] {first, second};
    }

    /** ENCRYPT(k, n, ad, plaintext) of the suite: a new array, ciphertext and tag. */
    static byte[] seal(CipherSuite suite, byte[] key, long nonce, byte[] ad, byte[] plaintext) {
        byte[] out = Arrays.copyOf(plaintext, plaintext.length + TAG_BYTES);
        new Aead(suite, key).seal(nonce, ad, out, 0, plaintext.length);
        return out;
    }

    /** DECRYPT(k, n, ad, ciphertext) of the suite: the plaintext, or empty if it does not authenticate. */
    static Optional<byte[]> open(CipherSuite suite, byte[] key, long nonce, byte[] ad, byte[] ciphertext) {
        byte[] out = ciphertext.clone();
        int length = new Aead(suite, key).open(nonce, ad, out, 0, out.length);
        return length < 0 ? Optional.empty() : Optional.of(Arrays.copyOf(out, length));
    }

    /** X25519(private, public); empty for a public key that gives the all-zero secret (a low-order point). */
    static Optional<byte[]> dh(byte[] privateKey, byte[] publicKey) {
        try {
            KeyFactory factory = KeyFactory.getInstance("XDH");
            PrivateKey mine = factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey));
            byte[] u = publicKey.clone();
            u[31] &= 0x7f; // RFC 7748: the top bit of the u-coordinate is ignored
            reverse(u);
            PublicKey theirs = factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, u)));
            KeyAgreement agreement = KeyAgreement.getInstance("XDH");
            agreement.init(mine);
            agreement.doPhase(theirs, true);
            return Optional.of(agreement.generateSecret());
        } catch (InvalidKeyException lowOrder) {
            return Optional.empty(); // the JDK refuses an all-zero shared secret
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is part of every JDK 11+", e);
        }
    }

    private static byte[] dhOrFail(byte[] privateKey, byte[] publicKey) {
        return dh(privateKey, publicKey).orElseThrow(Bad::new);
    }

    static byte[] sha256(byte[] a, byte[] b) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(a);
            sha.update(b);
            return sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void reverse(byte[] bytes) {
        for (int i = 0, j = bytes.length - 1; i < j; i++, j--) {
            byte t = bytes[i];
            bytes[i] = bytes[j];
            bytes[j] = t;
        }
    }

    /** A message that does not authenticate or parse. */
    private static final class Bad extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Bad() {
            super(null, null, false, false);
        }
    }

    /** Appends byte arrays. */
    private static final class Buffer {
        private byte[] bytes = new byte[0];

        void add(byte[] more) {
            bytes = concat(bytes, more);
        }

        byte[] bytes() {
            return bytes;
        }
    }
}
