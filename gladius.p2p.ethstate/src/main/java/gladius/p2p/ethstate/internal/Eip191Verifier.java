package gladius.p2p.ethstate.internal;

import gladius.p2p.spi.SignatureVerifier;
import java.util.Arrays;

/**
 * SignatureVerifier {@value SignatureVerifier#EIP191}: Ethereum's {@code personal_sign}, as
 * ethstate checks its entries (low s only, v 27 or 28), for plugins that take Ethereum-signed data
 * without depending on this one (the DHT's Ethereum-signed records).
 */
public final class Eip191Verifier implements SignatureVerifier {

    /** For ServiceLoader. */
    public Eip191Verifier() {}

    @Override
    public String scheme() {
        return EIP191;
    }

    @Override
    public boolean verify(byte[] signer, byte[] message, byte[] signature) {
        if (signer == null || message == null || signature == null || signer.length != 20) {
            return false;
        }
        return Signers.recoverAddress(Secp256k1.personalMessageHash(message), signature)
                .map(address -> Arrays.equals(address, signer)).orElse(false);
    }
}
