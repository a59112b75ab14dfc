package gladius.p2p.ethstate.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.spi.SignatureVerifier;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The eip191 verifier other plugins find on the module path, against ETH-VECTORS.md's E2 (ethers' personal_sign). */
class Eip191VerifierTest {

    private static final byte[] ADDRESS = HexFormat.of().parseHex("71cb05ee1b1f506ff321da3dac38f25c0c9ce6e1");
    private static final byte[] SIGNATURE = HexFormat.of().parseHex("14280e5885a19f60e536de50097e96e3738c7acae4e9e62d67272d794b8127d3"
            + "1c03d9cd59781d4ee31fb4e1b893bd9b020ec67dfa65cfb51e2bdadbb1de26d91c");
    private static final byte[] MESSAGE = "Hello World".getBytes(StandardCharsets.UTF_8);

    @Test
    void itIsFoundByItsSchemeAndChecksThePublicVector() {
        SignatureVerifier verifier = SignatureVerifier.find(SignatureVerifier.EIP191).orElseThrow();
        assertTrue(verifier instanceof Eip191Verifier, verifier.getClass().getName());
        assertTrue(verifier.verify(ADDRESS, MESSAGE, SIGNATURE));
    }

    @Test
    void anythingElseIsFalseNeverAnException() {
        Eip191Verifier verifier = new Eip191Verifier();
        byte[] other = ADDRESS.clone();
        other[0] ^= 1;
        assertFalse(verifier.verify(other, MESSAGE, SIGNATURE), "another signer");
        assertFalse(verifier.verify(ADDRESS, "Hello World!".getBytes(StandardCharsets.UTF_8), SIGNATURE), "another message");
        for (int i = 0; i < SIGNATURE.length; i++) {
            byte[] tampered = SIGNATURE.clone();
            tampered[i] ^= 0x40;
            assertFalse(verifier.verify(ADDRESS, MESSAGE, tampered), "signature byte " + i);
        }
        assertFalse(verifier.verify(ADDRESS, MESSAGE, new byte[64]), "short");
        assertFalse(verifier.verify(new byte[32], MESSAGE, SIGNATURE), "a signer that is no address");
        assertFalse(verifier.verify(null, null, null));
    }
}
