/**
 * The cryptography of {@code kcp.secure}, on the JDK alone: the Noise XX handshake
 * ({@link gladius.p2p.kcp.internal.secure.NoiseXX}) in either of two cipher suites
 * ({@link gladius.p2p.kcp.internal.secure.CipherSuite}: AES-GCM or ChaCha20-Poly1305), and the
 * keys of an established session ({@link gladius.p2p.kcp.internal.secure.SecureChannel}: sealing
 * and opening in place, rekeying) with their replay window. Knows nothing of datagrams, sessions or Netty: the session layer frames what
 * these produce (docs/PROTOCOL.md, "Secure sessions").
 */
package gladius.p2p.kcp.internal.secure;
