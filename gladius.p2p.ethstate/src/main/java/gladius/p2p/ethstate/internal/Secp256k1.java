package gladius.p2p.ethstate.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * Ethereum's signatures on BouncyCastle's secp256k1: RFC 6979 deterministic ECDSA with low s,
 * 65-byte r ‖ s ‖ v signatures, public-key recovery (SEC 1 v2, 4.1.6), and EIP-191 personal
 * message hashing.
 */
final class Secp256k1 {

    private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256k1");
    static final ECDomainParameters DOMAIN = new ECDomainParameters(CURVE.getCurve(), CURVE.getG(), CURVE.getN(), CURVE.getH());
    static final BigInteger N = CURVE.getN();
    static final BigInteger HALF_N = N.shiftRight(1);
    static final int SIGNATURE_BYTES = 65;

    /** What checking a signature can find. */
    enum Check { VALID, BAD, HIGH_S }

    private Secp256k1() {}

    /** A private key and what follows from it. */
    record KeyPair(BigInteger privateKey, ECPoint publicKey, byte[] address) {
        static KeyPair of(BigInteger privateKey) {
            if (privateKey.signum() <= 0 || privateKey.compareTo(N) >= 0) {
                throw new IllegalArgumentException("a secp256k1 private key must be from 1 to n-1");
            }
            ECPoint publicKey = DOMAIN.getG().multiply(privateKey).normalize();
            return new KeyPair(privateKey, publicKey, Secp256k1.address(publicKey));
        }

        static KeyPair random(SecureRandom random) {
            BigInteger d;
            do {
                d = new BigInteger(256, random);
            } while (d.signum() == 0 || d.compareTo(N) >= 0);
            return of(d);
        }

        /** Signs a 32-byte hash: r ‖ s ‖ v, s at most n/2, v = 27 + recovery id. */
        byte[] sign(byte[] hash) {
            ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
            signer.init(true, new ECPrivateKeyParameters(privateKey, DOMAIN));
            BigInteger[] rs = signer.generateSignature(hash);
            BigInteger r = rs[0];
            BigInteger s = rs[1].compareTo(HALF_N) > 0 ? N.subtract(rs[1]) : rs[1];
            for (int recoveryId = 0; recoveryId < 2; recoveryId++) {
                Optional<ECPoint> recovered = recover(hash, r, s, recoveryId);
                if (recovered.isPresent() && recovered.get().equals(publicKey)) {
                    byte[] signature = new byte[SIGNATURE_BYTES];
                    System.arraycopy(BigIntegers.asUnsignedByteArray(32, r), 0, signature, 0, 32);
                    System.arraycopy(BigIntegers.asUnsignedByteArray(32, s), 0, signature, 32, 32);
                    signature[64] = (byte) (27 + recoveryId);
                    return signature;
                }
            }
            throw new IllegalStateException("no recovery id reproduces the signer's key");
        }
    }

    /** The address of a public key: the last 20 bytes of keccak256 of its 64-byte uncompressed form. */
    static byte[] address(ECPoint publicKey) {
        byte[] encoded = publicKey.getEncoded(false);
        byte[] hash = Keccak.hash256(Arrays.copyOfRange(encoded, 1, encoded.length));
        return Arrays.copyOfRange(hash, 12, 32);
    }

    /** EIP-191 version 0x45: keccak256("\x19Ethereum Signed Message:\n" + decimal length + message). */
    static byte[] personalMessageHash(byte[] message) {
        byte[] prefix = ("\u0019Ethereum Signed Message:\n" + message.length).getBytes(StandardCharsets.UTF_8);
        return Keccak.hash256(prefix, message);
    }

    /**
     * Checks the form of a 65-byte signature: r and s from 1 to n-1, s at most n/2, v 27 or 28.
     */
    static Check checkForm(byte[] signature) {
        if (signature.length != SIGNATURE_BYTES) {
            return Check.BAD;
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        int v = signature[64] & 0xff;
        if (r.signum() == 0 || r.compareTo(N) >= 0 || s.signum() == 0 || s.compareTo(N) >= 0 || (v != 27 && v != 28)) {
            return Check.BAD;
        }
        return s.compareTo(HALF_N) > 0 ? Check.HIGH_S : Check.VALID;
    }

    /** The address that signed this hash, if the signature is well formed (low s included) and a key recovers. */
    static Optional<byte[]> recoverAddress(byte[] hash, byte[] signature) {
        if (checkForm(signature) != Check.VALID) {
            return Optional.empty();
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        return recover(hash, r, s, (signature[64] & 0xff) - 27).map(Secp256k1::address);
    }

    /** Verifies r ‖ s against a public key (33 or 65 bytes, SEC 1 encoded), refusing s above n/2. */
    static boolean verify(byte[] hash, byte[] rs, byte[] publicKey) {
        if (rs.length < 64) {
            return false;
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(rs, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(rs, 32, 64));
        if (s.compareTo(HALF_N) > 0) {
            return false;
        }
        try {
            ECDSASigner verifier = new ECDSASigner();
            verifier.init(false, new ECPublicKeyParameters(DOMAIN.getCurve().decodePoint(publicKey), DOMAIN));
            return verifier.verifySignature(hash, r, s);
        } catch (IllegalArgumentException notAPoint) {
            return false;
        }
    }

    /**
     * The public key that makes (r, s) a signature of hash, for recovery id 0 or 1 (R's y parity);
     * SEC 1 v2 section 4.1.6. Empty if r is not the x of a curve point.
     */
    static Optional<ECPoint> recover(byte[] hash, BigInteger r, BigInteger s, int recoveryId) {
        if (r.signum() <= 0 || r.compareTo(N) >= 0 || s.signum() <= 0 || s.compareTo(N) >= 0
                || recoveryId < 0 || recoveryId > 1) {
            return Optional.empty();
        }
        ECPoint bigR;
        try {
            byte[] compressed = new byte[33];
            compressed[0] = (byte) (0x02 + recoveryId);
            System.arraycopy(BigIntegers.asUnsignedByteArray(32, r), 0, compressed, 1, 32);
            bigR = DOMAIN.getCurve().decodePoint(compressed);
        } catch (IllegalArgumentException notOnCurve) {
            return Optional.empty();
        }
        BigInteger e = new BigInteger(1, hash);
        BigInteger rInverse = r.modInverse(N);
        // Q = r^-1 (s R - e G)
        ECPoint q = ECAlgorithms.sumOfTwoMultiplies(DOMAIN.getG(), e.negate().multiply(rInverse).mod(N),
                bigR, s.multiply(rInverse).mod(N)).normalize();
        return q.isInfinity() ? Optional.empty() : Optional.of(q);
    }
}
