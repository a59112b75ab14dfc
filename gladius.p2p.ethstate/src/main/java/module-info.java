/**
 * State signed with Ethereum keys for Gladius P2P: {@code PluginProvider} "ethstate". Each node
 * holds a secp256k1 key and so an Ethereum address, publishes key-value entries signed with
 * EIP-191 {@code personal_sign}, verifies and merges everyone's entries last-writer-wins per
 * (address, key), and converges by anti-entropy. Applications reach it through
 * {@code network.plugin(EthState.class)}; the signed wire format is in that interface's javadoc.
 *
 * <p>Depends on the api and BouncyCastle (secp256k1, Keccak-256, scrypt, PBKDF2).
 *
 * @provides gladius.p2p.spi.PluginProvider "ethstate"
 * @provides gladius.p2p.spi.SignatureVerifier "eip191": Ethereum personal_sign, for other plugins (the DHT's Ethereum-signed records)
 */
module gladius.p2p.ethstate {
    requires transitive gladius.p2p.api;
    requires org.bouncycastle.provider;

    exports gladius.p2p.ethstate;
    // gladius.p2p.ethstate.internal (keys, signatures, keystore, the store and the plugin) is not exported.

    provides gladius.p2p.spi.PluginProvider with gladius.p2p.ethstate.internal.EthStateProvider;
    provides gladius.p2p.spi.SignatureVerifier with gladius.p2p.ethstate.internal.Eip191Verifier;
}
