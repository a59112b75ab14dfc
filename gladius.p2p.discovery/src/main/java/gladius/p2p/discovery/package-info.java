/**
 * The discovery plugin's public face: {@link gladius.p2p.discovery.DiscoveryService}. Depends on
 * {@code gladius.p2p} only.
 */
package gladius.p2p.discovery;
