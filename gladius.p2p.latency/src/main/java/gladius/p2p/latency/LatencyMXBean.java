package gladius.p2p.latency;

import java.util.Map;

/**
 * The latency audit's figures over JMX, per peer (HOST:PORT) over the plugin's window: the kcp
 * transport shows a plugin that implements this as
 * {@code gladius.p2p:type=Plugin,network="HOST:PORT",name=Latency} (docs/OBSERVABILITY.md).
 */
public interface LatencyMXBean {

    /** @return each measured peer's median probe round trip, in milliseconds */
    Map<String, Double> getMedianMillis();

    /** @return each measured peer's 90th percentile, in milliseconds */
    Map<String, Double> getP90Millis();

    /** @return each measured peer's 99th percentile, in milliseconds */
    Map<String, Double> getP99Millis();

    /** @return each peer's share of probes lost */
    Map<String, Double> getLossRatio();

    /** @return probe messages that were refused (malformed, unasked) */
    long getRejectedMessages();

    /** @return peers deleted for latency or loss beyond the limits */
    int getEvictions();
}
