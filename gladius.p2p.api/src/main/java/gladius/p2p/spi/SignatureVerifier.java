package gladius.p2p.spi;

import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Checks signatures of one scheme that a part does not implement itself, so that one plugin can
 * accept what was signed with keys another plugin knows, without depending on it: the DHT takes
 * Ethereum-signed records when the ethstate plugin, which provides scheme {@value #EIP191}, is on
 * the module path. Declared with {@code provides gladius.p2p.spi.SignatureVerifier with ...}; found
 * with {@link #find}. Added to the first release's contract.
 */
public interface SignatureVerifier {

    /**
     * Ethereum's {@code personal_sign} (EIP-191 version 0x45): a 65-byte secp256k1 signature
     * r ‖ s ‖ v of {@code keccak256("\x19Ethereum Signed Message:\n" + decimal(length) + message)},
     * whose signer is the 20-byte address of the key it recovers.
     */
    String EIP191 = "eip191";

    /** {@return the scheme's name, such as {@value #EIP191}} */
    String scheme();

    /**
     * Whether {@code signature} is {@code signer}'s signature of {@code message} under this scheme.
     * Never throws for bytes that are no signature or no signer: they come from the network.
     *
     * @param signer who signed, as the scheme names signers (an Ethereum address: 20 bytes)
     * @param message the signed bytes
     * @param signature the signature
     * @return true only if it verifies
     */
    boolean verify(byte[] signer, byte[] message, byte[] signature);

    /**
     * The first verifier of this scheme on the module path.
     *
     * @param scheme the scheme's name
     * @return the verifier, or empty if no module provides one
     */
    static Optional<SignatureVerifier> find(String scheme) {
        Objects.requireNonNull(scheme, "scheme");
        return ServiceLoader.load(SignatureVerifier.class).stream()
                .flatMap(provider -> {
                    try {
                        return java.util.stream.Stream.of(provider.get());
                    } catch (java.util.ServiceConfigurationError broken) {
                        return java.util.stream.Stream.empty(); // one broken jar hides nothing
                    }
                })
                .filter(verifier -> scheme.equals(verifier.scheme()))
                .findFirst();
    }
}
