/**
 * The ethstate plugin's public face: {@link gladius.p2p.ethstate.EthState}, the
 * {@link gladius.p2p.ethstate.Entry} values it holds, and why entries are refused
 * ({@link gladius.p2p.ethstate.Rejection}). Depends on {@code gladius.p2p} only.
 */
package gladius.p2p.ethstate;
