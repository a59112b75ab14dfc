package gladius.p2p.kcp.internal.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One secret, two keys: against RFC 8032's first Ed25519 vector, and each half against the other. */
class NodeIdentityTest {

    private static final HexFormat HEX = HexFormat.of();
    /** RFC 8032, section 7.1, TEST 1: secret key, public key, and the signature of the empty message. */
    private static final String SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private static final String PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private static final String SIGNATURE = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065"
            + "224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    @Test
    void theSigningHalfIsRfc8032s() {
        NodeIdentity identity = NodeIdentity.fromSecret(HEX.parseHex(SECRET));
        assertEquals(PUBLIC, HEX.formatHex(identity.signingKey()));
        assertEquals(SIGNATURE, HEX.formatHex(identity.sign(new byte[0])), "Ed25519 signatures are deterministic");
        assertTrue(NodeIdentity.verify(HEX.parseHex(PUBLIC), new byte[0], HEX.parseHex(SIGNATURE)));
    }

    @Test
    void theHandshakeHalfIsTheMontgomeryFormOfTheSigningHalf() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 20; i++) {
            NodeIdentity identity = NodeIdentity.generate(random);
            // X25519 of the private half and the base point (NoiseXX's own DH), against the conversion of the Ed25519 key.
            assertArrayEquals(identity.staticKey().publicKey(), NodeIdentity.montgomery(identity.signingKey()).orElseThrow());
        }
    }

    @Test
    void signaturesCheckOutOnlyForTheirKeyAndMessage() {
        NodeIdentity one = NodeIdentity.generate(new SecureRandom());
        NodeIdentity other = NodeIdentity.generate(new SecureRandom());
        byte[] message = "where I am".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] signature = one.sign(message);
        assertTrue(NodeIdentity.verify(one.signingKey(), message, signature));
        assertFalse(NodeIdentity.verify(other.signingKey(), message, signature));
        byte[] changed = message.clone();
        changed[0] ^= 1;
        assertFalse(NodeIdentity.verify(one.signingKey(), changed, signature));
        assertFalse(NodeIdentity.verify(new byte[32], message, signature), "not a point: false, not an exception");
        assertFalse(NodeIdentity.verify(one.signingKey(), message, Arrays.copyOf(signature, 63)));
        byte[] notBelowP = new byte[32];
        Arrays.fill(notBelowP, (byte) 0xff);
        assertEquals(Optional.empty(), NodeIdentity.montgomery(notBelowP));
    }
}
