package gladius.p2p.latency;

import gladius.p2p.NodeAddress;
import java.time.Instant;

/**
 * A peer the audit deleted from the route table.
 *
 * @param peer the peer
 * @param at when
 * @param reason which limit it broke, with the figures
 * @param figures its figures at that moment
 */
public record Eviction(NodeAddress peer, Instant at, String reason, PeerLatency figures) {}
