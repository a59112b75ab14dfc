package gladius.p2p.ethstate.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The process-wide cache of recovered signers answers exactly as recovery does, and only for the very bytes it saw. */
class SignersTest {

    @Test
    void aCachedSignerIsTheRecoveredOneAndOnlyForTheSameBytes() {
        Secp256k1.KeyPair key = Secp256k1.KeyPair.of(BigInteger.valueOf(0x5eed));
        byte[] hash = Secp256k1.personalMessageHash("an entry".getBytes(StandardCharsets.UTF_8));
        byte[] signature = key.sign(hash);

        for (int i = 0; i < 3; i++) { // the first recovers, the others are answered from the cache
            Optional<byte[]> signer = Signers.recoverAddress(hash, signature);
            assertTrue(signer.isPresent());
            assertArrayEquals(key.address(), signer.get());
            signer.get()[0] ^= 1; // a caller's change to its copy reaches nobody else
        }

        byte[] otherHash = hash.clone();
        otherHash[31] ^= 1;
        Optional<byte[]> other = Signers.recoverAddress(otherHash, signature);
        assertFalse(other.isPresent() && Arrays.equals(key.address(), other.get()), "another hash recovered the same signer");
        assertArrayEquals(Secp256k1.recoverAddress(otherHash, signature).orElse(null), other.orElse(null));

        byte[] flipped = signature.clone();
        flipped[64] = (byte) (flipped[64] == 27 ? 28 : 27); // the other recovery id: another key, or none
        Optional<byte[]> recovered = Signers.recoverAddress(hash, flipped);
        assertFalse(recovered.isPresent() && Arrays.equals(key.address(), recovered.get()));
    }
}
