package gladius.p2p.discovery;

import gladius.p2p.NodeAddress;
import java.util.Set;

/**
 * The discovery plugin as an application sees it: {@code network.plugin(DiscoveryService.class)}.
 *
 * <h2>Settings</h2>
 * <table>
 *   <caption>discovery.*</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code discovery.seeds}</td><td>none</td><td>comma-separated {@code host:port} nodes added at start</td></tr>
 *   <tr><td>{@code discovery.interval}</td><td>1s</td><td>time between rounds (each round varies by up to 10 %)</td></tr>
 *   <tr><td>{@code discovery.fanout}</td><td>3</td><td>random peers asked per round</td></tr>
 *   <tr><td>{@code discovery.max-peers}</td><td>64</td><td>the route table size past which discovery adds nobody</td></tr>
 *   <tr><td>{@code discovery.unreachable-after}</td><td>30s</td><td>how long a route-table node may stay
 *       unreachable before it is deleted</td></tr>
 * </table>
 *
 * <h2>Rounds</h2>
 * While the route table holds fewer than {@code max-peers} nodes, each round sends a request to
 * {@code fanout} random writable peers (to the seeds when there are none). A node that receives a
 * request answers it, added or not, with up to {@value #SAMPLE} of its connected route-table nodes
 * chosen at random, and adds the requester itself if its table has room: a request is also an
 * announcement. Answers are accepted only from peers this node asked and has not heard from yet.
 * Each round also deletes route-table nodes unreachable for longer than {@code unreachable-after};
 * a deleted node is not re-added from third-party answers for that long again.
 *
 * <h2>Wire format</h2>
 * Message types are {@value #REQUEST} and {@value #ANSWER}; every other type is ignored.
 * <pre>
 *   request:  u8 version (1)
 *   answer:   u8 version (1), u8 count (0..{@value #MAX_ANSWER}), then count times:
 *             u8 family (4 or 6), 4 or 16 address bytes, u16 port (1..65535, big-endian)
 * </pre>
 * Addresses are IP literals, never host names, so an answer cannot make a node resolve names.
 * A body that breaks these rules (unknown version, count over the limit, a bad family or port,
 * bytes left over) is dropped whole and counted in {@link #malformedMessages()}.
 */
public interface DiscoveryService {

    /** The prefix of every message type this plugin sends. */
    String TYPE_PREFIX = "discovery/";
    /** A request for a sample of the receiver's peers. */
    String REQUEST = "discovery/request";
    /** The answer to a request. */
    String ANSWER = "discovery/answer";
    /** Nodes this plugin puts in one answer at most. */
    int SAMPLE = 32;
    /** Nodes an answer may list; more make it malformed. */
    int MAX_ANSWER = 64;

    /** @return the nodes in this network's route table, as the plugin last heard of them */
    Set<NodeAddress> knownPeers();

    /** Runs a round now instead of at the next interval (queued with the plugin's callbacks, not on the caller's thread). */
    void discoverNow();

    /** @return discovery messages dropped because their bodies did not parse */
    long malformedMessages();

    /** @return answers dropped because this node had not asked their sender */
    long unsolicitedAnswers();
}
