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
 *   <tr><td>{@code discovery.seeds}</td><td>none</td><td>comma-separated nodes added at start: {@code host:port},
 *       or {@code KEYHEX@host:port} to pin the key the node must prove (a network with keys)</td></tr>
 *   <tr><td>{@code discovery.interval}</td><td>1s</td><td>time between rounds (each round varies by up to 10 %)</td></tr>
 *   <tr><td>{@code discovery.fanout}</td><td>3</td><td>random peers asked per round</td></tr>
 *   <tr><td>{@code discovery.max-peers}</td><td>64</td><td>the route table size past which discovery adds nobody</td></tr>
 *   <tr><td>{@code discovery.unreachable-after}</td><td>30s</td><td>how long a route-table node may stay
 *       unreachable before it is deleted</td></tr>
 *   <tr><td>{@code discovery.max-per-subnet}</td><td>2</td><td>nodes of one IPv4 /24 or IPv6 /48 that discovery
 *       puts in the table (as discv5 limits them); a cluster on one host's loopback is not limited</td></tr>
 *   <tr><td>{@code discovery.request-interval}</td><td>500ms</td><td>the least time between two requests of one
 *       peer that are answered; faster ones are dropped and counted</td></tr>
 * </table>
 *
 * <h2>Rounds</h2>
 * Each round sends a request to {@code fanout} random writable peers (to the seeds when there are
 * none), or to one once the route table holds {@code max-peers} nodes: a full table keeps learning,
 * and makes room for a new node only by dropping one that is unreachable (the longest). A node that
 * receives a request answers it, added or not, with up to {@value #SAMPLE} of its connected
 * route-table nodes chosen at random (a sample made at most once a second), and adds the requester
 * itself if its table has room: a request is also an announcement. Answers are accepted only from
 * peers this node asked and has not heard from yet. Each round also deletes route-table nodes
 * unreachable for longer than {@code unreachable-after}; a deleted node is not re-added from
 * third-party answers for that long again.
 *
 * <h2>Whom it adds</h2>
 * Never an address no node can have (unspecified, multicast, broadcast); one on this host or on a
 * private network (RFC 1918, shared, link-local, unique-local) only if this node listens on such a
 * network or the peer that named it is on one; at most {@code max-per-subnet} of one block; and in
 * a network with keys only a node whose signed record ({@link gladius.p2p.NodeRecord}, sent by the
 * node itself over its session with the answering peer) names the address, added with its key
 * pinned ({@code Network.add(Contact)}), so every dial it causes checks the key; one key once.
 * Refusals are counted in {@link #refusedNodes()}. A node advertises only peers it reaches at an
 * address their own record names, or in a plain network directly (never an address only a relay
 * named).
 *
 * <h2>Wire format</h2>
 * Message types are {@value #REQUEST} and {@value #ANSWER}; every other type is ignored.
 * <pre>
 *   request:  u8 version (2)
 *   answer:   u8 version (2), u8 count (0..{@value #MAX_ANSWER}), then count times:
 *             u8 family (4 or 6), 4 or 16 address bytes, u16 port (1..65535, big-endian),
 *             u16 record length (0..512), the node's signed record (none in a plain network)
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
    int SAMPLE = 16;
    /** Nodes an answer may list; more make it malformed. Well below the default max-peers: no one answer fills a table. */
    int MAX_ANSWER = 16;

    /** @return the nodes in this network's route table, as the plugin last heard of them */
    Set<NodeAddress> knownPeers();

    /** Runs a round now instead of at the next interval (queued with the plugin's callbacks, not on the caller's thread). */
    void discoverNow();

    /** @return discovery messages dropped because their bodies did not parse */
    long malformedMessages();

    /** @return answers dropped because this node had not asked their sender */
    long unsolicitedAnswers();

    /**
     * @return nodes named in answers (or asking) that were not added: an address this node may not
     *     dial, a record that does not check out or does not name the address, a full block or table
     */
    default long refusedNodes() {
        return 0;
    }

    /** @return requests dropped because their sender asked again within discovery.request-interval */
    default long unansweredRequests() {
        return 0;
    }

    /**
     * Nodes that a {@link gladius.p2p.spi.NodeSampler} on the network (the DHT's random walks)
     * named and discovery offered to its table, under the same checks as the nodes of an answer:
     * with one, discovery fills its table from all over the network, not only from its peers' peers.
     *
     * @return how many, since start
     */
    default long sampledNodes() {
        return 0;
    }
}
