/**
 * The latency audit's public face: {@link gladius.p2p.latency.LatencyAudit} and the values it
 * returns. Depends on {@code gladius.p2p} only.
 */
package gladius.p2p.latency;
