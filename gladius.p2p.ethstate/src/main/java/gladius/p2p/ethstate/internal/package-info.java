/**
 * The ethstate plugin: Ethereum keys and signatures on BouncyCastle ({@link
 * gladius.p2p.ethstate.internal.Secp256k1}, {@link gladius.p2p.ethstate.internal.Addresses}),
 * Web3 Secret Storage ({@link gladius.p2p.ethstate.internal.Keystore}), the wire format
 * ({@link gladius.p2p.ethstate.internal.EntryCodec}), the store and the plugin. Not exported;
 * depends on the api, java.base and org.bouncycastle.provider.
 */
package gladius.p2p.ethstate.internal;
