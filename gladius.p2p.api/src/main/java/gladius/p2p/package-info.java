/**
 * The contract applications and plugins program against: {@link gladius.p2p.Network},
 * {@link gladius.p2p.Plugin}, {@link gladius.p2p.Message}, {@link gladius.p2p.NodeAddress} and the
 * {@link gladius.p2p.NetworkState} snapshot. Depends on {@code java.base} only.
 */
package gladius.p2p;
