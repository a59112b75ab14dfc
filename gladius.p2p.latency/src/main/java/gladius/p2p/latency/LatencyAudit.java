package gladius.p2p.latency;

import gladius.p2p.NodeAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The latency audit as an application sees it: {@code network.plugin(LatencyAudit.class)}.
 *
 * <h2>Settings</h2>
 * <table>
 *   <caption>latency.*</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code latency.interval}</td><td>1s</td><td>time between probes to each peer</td></tr>
 *   <tr><td>{@code latency.window}</td><td>100</td><td>probes per peer that the figures cover (the most recent)</td></tr>
 *   <tr><td>{@code latency.timeout}</td><td>2s</td><td>a probe not answered within this is lost</td></tr>
 *   <tr><td>{@code latency.max-rtt}</td><td>unset</td><td>delete peers whose median round trip is longer</td></tr>
 *   <tr><td>{@code latency.max-loss}</td><td>unset</td><td>delete peers whose loss ratio (0 to 1) is higher</td></tr>
 *   <tr><td>{@code latency.min-samples}</td><td>10</td><td>probe outcomes needed before a peer is judged</td></tr>
 * </table>
 *
 * <h2>What the figures mean</h2>
 * Probes ride the transport's reliable stream, so a lost datagram does not lose the probe: the
 * transport resends it, and it comes back late. A probe answered within {@code latency.timeout}
 * is a round-trip sample; one answered later, or never, is lost. So the loss ratio is the share of
 * probes that did not come back in time: set the timeout a little above the path's normal round
 * trip to read it as packet loss on the way out and back, or leave the default to count only
 * stalls. Percentiles are nearest-rank over the answered probes in the window; the EWMA weighs
 * each new sample by 1/8, as TCP's smoothed RTT does. Times include the plugins' dispatch on both
 * sides, so they sit slightly above the transport's own {@code PeerState.smoothedRtt()}.
 *
 * <h2>Wire format</h2>
 * <pre>
 *   {@value #PING}: u8 version (1), u64 sequence, u64 sender's timestamp (opaque to the receiver)
 *   {@value #PONG}: the ping's 17 bytes, echoed unchanged
 * </pre>
 * Every node with this plugin answers pings, added or not. A pong is accepted only from the peer
 * that was probed, for a probe still outstanding, with the timestamp it was sent with; anything
 * else of type {@value #TYPE_PREFIX}* is dropped and counted. Other types are ignored.
 */
public interface LatencyAudit {

    /** The prefix of every message type this plugin sends. */
    String TYPE_PREFIX = "latency/";
    /** A probe. */
    String PING = "latency/ping";
    /** The answer to a probe. */
    String PONG = "latency/pong";

    /** @return the figures of every peer being probed now */
    Map<NodeAddress, PeerLatency> peers();

    /**
     * @param node a peer
     * @return its figures, if it is being probed
     */
    Optional<PeerLatency> peer(NodeAddress node);

    /**
     * @return peers this plugin deleted for breaking max-rtt or max-loss, most recent last (the last 64);
     *         a peer is listed only once its deletion from the route table is done
     */
    List<Eviction> evictions();

    /** @return latency messages dropped: bodies that did not parse, and pongs that matched no outstanding probe */
    long rejectedMessages();
}
