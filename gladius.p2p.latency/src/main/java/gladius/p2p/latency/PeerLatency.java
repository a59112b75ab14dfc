package gladius.p2p.latency;

import gladius.p2p.NodeAddress;
import java.time.Duration;

/**
 * One peer's figures over the window of its most recent probes.
 *
 * @param peer the peer
 * @param samples answered probes in the window (the percentiles are over these)
 * @param min shortest round trip in the window, zero with no samples
 * @param median 50th percentile
 * @param p90 90th percentile
 * @param p99 99th percentile
 * @param max longest round trip in the window
 * @param ewma exponentially weighted moving average of all samples so far (weight 1/8)
 * @param lossRatio lost probes over probes decided, in the window; 0 before any is decided
 * @param probesSent probes sent to this peer since it was first probed
 * @param probesAnswered probes answered in time, since then
 * @param probesLost probes lost, since then
 */
public record PeerLatency(NodeAddress peer, int samples, Duration min, Duration median, Duration p90, Duration p99,
                          Duration max, Duration ewma, double lossRatio, long probesSent, long probesAnswered,
                          long probesLost) {}
