/**
 * The public contract of Gladius P2P: a {@link gladius.p2p.Network} of peers that exchange
 * {@link gladius.p2p.Message}s, and {@link gladius.p2p.Plugin}s that see every message.
 *
 * <p>This module is pure contract: interfaces, a few immutable value types, and the
 * {@link java.util.ServiceLoader} bootstrap in {@link gladius.p2p.Network#create(java.util.Map)}.
 * It depends on {@code java.base} only. Applications and plugins write {@code requires
 * gladius.p2p.api}; a transport (such as the module {@code gladius.p2p.kcp}) and plugins are
 * found on the module path.
 *
 * @uses gladius.p2p.spi.NetworkProvider transports; the first found, or the one named by the
 *       setting {@code provider}
 * @uses gladius.p2p.spi.PluginProvider plugins; every one found, or those named by the setting
 *       {@code plugins}
 * @uses gladius.p2p.spi.SignatureVerifier signature schemes one plugin provides and another
 *       checks with ({@link gladius.p2p.spi.SignatureVerifier#find})
 */
module gladius.p2p.api {
    exports gladius.p2p;
    exports gladius.p2p.spi;
    // gladius.p2p.internal (Bootstrap: the provider lookup behind Network.create) is deliberately not exported.

    uses gladius.p2p.spi.NetworkProvider;
    uses gladius.p2p.spi.PluginProvider;
    uses gladius.p2p.spi.SignatureVerifier;
}
