package gladius.p2p.kcp.internal.secure;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * A node's identity in a secure network, from one 32-byte secret ({@code kcp.node-key}): an
 * Ed25519 key that signs what the node says about itself (its node record), and the X25519 key
 * its Noise handshakes prove, the same secret scalar on the birationally equivalent curve, as
 * libsodium's {@code crypto_sign_ed25519_sk_to_curve25519} derives it (Secure Scuttlebutt and
 * Yggdrasil identify nodes so): the X25519 private key is the first half of SHA-512 of the secret,
 * which is also Ed25519's secret scalar, and the X25519 public key is the Montgomery form
 * {@code u = (1 + y) / (1 - y)} of the Ed25519 public point. So a signature by the Ed25519 key
 * stands for the node whose handshake proves the X25519 key, and only the JDK's own Ed25519 and
 * X25519 are used.
 */
public final class NodeIdentity {

    /** Bytes of the secret, and of each public key. */
    public static final int KEY_BYTES = 32;
    /** Bytes of an Ed25519 signature. */
    public static final int SIGNATURE_BYTES = 64;
    /** The field prime of curve25519 and edwards25519, 2^255 - 19. */
    private static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));

    private final NoiseXX.KeyPair staticKey;
    private final PrivateKey signing;
    private final byte[] signingPublic;

    private NodeIdentity(NoiseXX.KeyPair staticKey, PrivateKey signing, byte[] signingPublic) {
        this.staticKey = staticKey;
        this.signing = signing;
        this.signingPublic = signingPublic;
    }

    /** A fresh identity. */
    public static NodeIdentity generate(SecureRandom random) {
        byte[] secret = new byte[KEY_BYTES];
        random.nextBytes(secret);
        return fromSecret(secret);
    }

    /**
     * The identity of a 32-byte secret (an Ed25519 private key as RFC 8032 writes it).
     *
     * @throws IllegalArgumentException if it is not 32 bytes
     */
    public static NodeIdentity fromSecret(byte[] secret) {
        if (secret.length != KEY_BYTES) {
            throw new IllegalArgumentException("a node key is 32 bytes, not " + secret.length);
        }
        try {
            // The JDK derives an Ed25519 public key only while generating a pair: hand it this secret as the
            // "random" bytes it draws, and check it took them as the private key.
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new FixedBytes(secret));
            KeyPair pair = generator.generateKeyPair();
            byte[] taken = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
            if (!Arrays.equals(taken, secret)) {
                throw new IllegalStateException("this JDK's Ed25519 key generator did not take the node key as given");
            }
            byte[] signingPublic = encode(((EdECPublicKey) pair.getPublic()).getPoint());
            byte[] scalar = Arrays.copyOf(MessageDigest.getInstance("SHA-512").digest(secret), KEY_BYTES);
            NoiseXX.KeyPair staticKey = NoiseXX.KeyPair.fromPrivate(scalar);
            if (!Arrays.equals(staticKey.publicKey(), montgomery(signingPublic).orElseThrow())) {
                throw new IllegalStateException("the node key's X25519 and Ed25519 halves disagree");
            }
            return new NodeIdentity(staticKey, pair.getPrivate(), signingPublic);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks Ed25519 or SHA-512", e);
        }
    }

    /** The X25519 key pair the Noise handshakes run on; its public half is the node's key. */
    public NoiseXX.KeyPair staticKey() {
        return staticKey;
    }

    /** The Ed25519 public key (RFC 8032 encoding) that checks this node's signatures. */
    public byte[] signingKey() {
        return signingPublic.clone();
    }

    /** An Ed25519 signature of the message. */
    public byte[] sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(signing);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with Ed25519", e);
        }
    }

    /** Whether {@code signature} is an Ed25519 signature of {@code message} by {@code signingKey}; never throws. */
    public static boolean verify(byte[] signingKey, byte[] message, byte[] signature) {
        if (signingKey.length != KEY_BYTES || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            PublicKey key = KeyFactory.getInstance("Ed25519")
                    .generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, decode(signingKey)));
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // not a point of the curve, or not a signature: garbage from the network
        }
    }

    /**
     * The X25519 public key (little-endian u) of an Ed25519 public key: {@code u = (1 + y) / (1 - y)}
     * mod p. Empty if the bytes are no key (y not below p, or y = 1, which has no such u).
     */
    public static Optional<byte[]> montgomery(byte[] signingKey) {
        if (signingKey.length != KEY_BYTES) {
            return Optional.empty();
        }
        byte[] bigEndian = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES; i++) {
            bigEndian[i] = signingKey[KEY_BYTES - 1 - i];
        }
        bigEndian[0] &= 0x7f; // the top bit is x's sign, not part of y
        BigInteger y = new BigInteger(1, bigEndian);
        if (y.compareTo(P) >= 0 || y.equals(BigInteger.ONE)) {
            return Optional.empty();
        }
        BigInteger u = BigInteger.ONE.add(y).multiply(BigInteger.ONE.subtract(y).mod(P).modInverse(P)).mod(P);
        byte[] be = u.toByteArray();
        byte[] little = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES && i < be.length; i++) {
            little[i] = be[be.length - 1 - i];
        }
        return Optional.of(little);
    }

    private static byte[] encode(EdECPoint point) {
        byte[] be = point.getY().toByteArray();
        byte[] little = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES && i < be.length; i++) {
            little[i] = be[be.length - 1 - i];
        }
        if (point.isXOdd()) {
            little[KEY_BYTES - 1] |= (byte) 0x80;
        }
        return little;
    }

    private static EdECPoint decode(byte[] key) {
        byte[] bigEndian = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES; i++) {
            bigEndian[i] = key[KEY_BYTES - 1 - i];
        }
        boolean xOdd = (bigEndian[0] & 0x80) != 0;
        bigEndian[0] &= 0x7f;
        return new EdECPoint(xOdd, new BigInteger(1, bigEndian));
    }

    /** A "random" source that gives the node key, once: how the JDK's generator is told which key to make. */
    @SuppressWarnings("serial") // never serialized: made, used once, dropped
    private static final class FixedBytes extends SecureRandom {
        private final byte[] bytes;
        private boolean given;

        FixedBytes(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        @Override
        public void nextBytes(byte[] out) {
            if (given || out.length != bytes.length) {
                throw new IllegalStateException("the Ed25519 generator asked for other bytes than one 32-byte key");
            }
            given = true;
            System.arraycopy(bytes, 0, out, 0, out.length);
        }
    }
}
