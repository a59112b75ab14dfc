package gladius.p2p.ethstate.internal;

import org.bouncycastle.crypto.digests.KeccakDigest;

/** Keccak-256 as Ethereum uses it (the original Keccak padding, not NIST SHA3-256). */
final class Keccak {

    private Keccak() {}

    /** @return keccak256 of the parts, concatenated */
    static byte[] hash256(byte[]... parts) {
        KeccakDigest digest = new KeccakDigest(256);
        for (byte[] part : parts) {
            digest.update(part, 0, part.length);
        }
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }
}
