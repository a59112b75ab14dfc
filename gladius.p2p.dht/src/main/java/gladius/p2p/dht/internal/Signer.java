package gladius.p2p.dht.internal;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * The Ed25519 key that signs this node's DHT records, from a 32-byte secret (RFC 8032's private
 * key), with the JDK's own Ed25519 only. The same secret as {@code kcp.node-key} gives the same
 * Ed25519 key the transport signs the node's record with, whose Montgomery form is the node's key.
 */
final class Signer {

    static final int KEY_BYTES = 32;
    static final int SIGNATURE_BYTES = 64;
    /** The DER head of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes follow it. */
    private static final byte[] X509_HEAD = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private final PrivateKey secret;
    private final byte[] publicKey;

    private Signer(PrivateKey secret, byte[] publicKey) {
        this.secret = secret;
        this.publicKey = publicKey;
    }

    /** A fresh key. */
    static Signer generate(SecureRandom random) {
        byte[] secret = new byte[KEY_BYTES];
        random.nextBytes(secret);
        return fromSecret(secret);
    }

    /**
     * The key of this 32-byte secret.
     *
     * @throws IllegalArgumentException if it is not 32 bytes
     */
    static Signer fromSecret(byte[] secret) {
        if (secret.length != KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 secret is 32 bytes, not " + secret.length);
        }
        try {
            // The JDK derives a public key only while it generates a pair: it draws the secret from the
            // "random" source, so hand it this one, and check it took it.
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new Given(secret));
            KeyPair pair = generator.generateKeyPair();
            if (!Arrays.equals(((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow(), secret)) {
                throw new IllegalStateException("this JDK's Ed25519 generator did not take the secret as given");
            }
            byte[] encoded = pair.getPublic().getEncoded();
            return new Signer(pair.getPrivate(), Arrays.copyOfRange(encoded, encoded.length - KEY_BYTES, encoded.length));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks Ed25519", e);
        }
    }

    /** {@return a copy of the public key, RFC 8032's 32 bytes} */
    byte[] publicKey() {
        return publicKey.clone();
    }

    byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(secret);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with Ed25519", e);
        }
    }

    /** Whether {@code signature} is {@code key}'s Ed25519 signature of {@code message}; never throws. */
    static boolean verify(byte[] key, byte[] message, byte[] signature) {
        if (key.length != KEY_BYTES || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            byte[] der = Arrays.copyOf(X509_HEAD, X509_HEAD.length + KEY_BYTES);
            System.arraycopy(key, 0, der, X509_HEAD.length, KEY_BYTES);
            PublicKey publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            Signature v = Signature.getInstance("Ed25519");
            v.initVerify(publicKey);
            v.update(message);
            return v.verify(signature);
        } catch (GeneralSecurityException | RuntimeException garbage) {
            return false; // no point of the curve, or no signature: bytes from the network
        }
    }

    /** A "random" source that gives one secret, once. */
    @SuppressWarnings("serial") // never serialized
    private static final class Given extends SecureRandom {
        private final byte[] bytes;
        private boolean given;

        Given(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        @Override
        public void nextBytes(byte[] out) {
            if (given || out.length != bytes.length) {
                throw new IllegalStateException("the Ed25519 generator asked for other bytes than one secret");
            }
            given = true;
            System.arraycopy(bytes, 0, out, 0, out.length);
        }
    }
}
