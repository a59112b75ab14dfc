package gladius.p2p;

import gladius.p2p.internal.Bootstrap;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * A node of a peer-to-peer network: one socket, a route table of peers with a reliable stream to
 * each, and the plugins that see every message.
 *
 * <p>All methods are safe to call from any thread, plugin callbacks included, and never block on
 * the network.
 *
 * <h2>Errors</h2>
 * Wrong arguments (bad address, empty or over-long type, negative n, a body over the limit) are an
 * {@link IllegalArgumentException} naming what was wrong. Calls in the wrong state (sending before
 * listen, listen twice, anything after close) are an {@link IllegalStateException}. Nothing the
 * network receives can throw into the caller or stop the node: bad datagrams and frames are
 * dropped and counted in {@link NetworkState}.
 *
 * <h2>Settings</h2>
 * Flat string keys, namespaced by the part that reads them ({@code kcp.*}, {@code discovery.*},
 * ...). Two keys belong to this bootstrap: {@code provider}, the name of the transport, and
 * {@code plugins}, a comma-separated list of plugin provider names or {@code none}. An unknown key
 * of a known namespace, or a value that does not parse, is an {@link IllegalArgumentException}
 * naming the key.
 */
public interface Network extends AutoCloseable {

    /**
     * A network from the first {@link gladius.p2p.spi.NetworkProvider} on the module path, with
     * default settings and every plugin found.
     *
     * @return a new network, not yet listening
     * @throws NoTransportException (an IllegalStateException) if no transport is on the module path
     */
    static Network create() {
        return Bootstrap.create(Map.of());
    }

    /**
     * A network from the provider named by setting {@code provider} (or the first one found), with
     * these settings. Unless setting {@code plugins} says otherwise, a plugin from every
     * {@link gladius.p2p.spi.PluginProvider} on the module path is created with the same settings
     * and registered. {@code plugins} is a comma-separated list of provider names, or {@code none}.
     *
     * <p>Providers are looked up once, in this order: the one named by {@code provider}; else the
     * first that {@link java.util.ServiceLoader} finds. A provider that fails to load is skipped
     * with a warning and does not hide the others.
     *
     * @param settings the settings; copied
     * @return a new network, not yet listening
     * @throws IllegalArgumentException if a setting is unknown or does not parse, or names a
     *         provider or plugin that is not on the module path
     * @throws NoTransportException (an IllegalStateException) if no transport is on the module path
     */
    static Network create(Map<String, String> settings) {
        return Bootstrap.create(settings);
    }

    /**
     * The settings of every transport and plugin provider on the module path, by namespace
     * ({@link gladius.p2p.spi.NetworkProvider#namespace()}), each with the defaults its provider
     * declares: what a node or a tool checks keys against, or shows a user. The bootstrap's own
     * keys ({@code provider}, {@code plugins}) are not in it. Added to the first release's contract.
     *
     * @return namespace to (whole key to default), sorted
     */
    static Map<String, Map<String, String>> knownSettings() {
        return Bootstrap.knownSettings();
    }

    /**
     * Binds this node's socket and starts serving; port 0 picks a free port. Once only. Returns
     * after every plugin registered so far has run its {@link Plugin#startup}, except when called
     * from a plugin's callback or task (which cannot wait for other callbacks): then startup
     * follows the callback.
     *
     * @param address the address to bind
     * @throws IllegalStateException if already listening or closed, or the address cannot be bound (then its cause
     *         is the {@link java.net.SocketException}, such as a {@link java.net.BindException} for a port in use)
     */
    void listen(NodeAddress address);

    /**
     * The bound address (the real port when 0 was asked for).
     *
     * @return the address
     * @throws IllegalStateException before listen
     */
    NodeAddress localAddress();

    /**
     * A message from this node, with its checksum computed. The array is not copied: do not change
     * it after.
     *
     * @param type 1 to 255 bytes of UTF-8
     * @param body the body, at most the transport's message limit
     * @return the message
     * @throws IllegalArgumentException if the type or the body is out of bounds
     */
    Message newMessage(String type, byte[] body);

    /**
     * Sends to every writable peer; returns how many peers it was queued for. A message for a
     * route-table node whose session is not up yet waits in that node's queue and goes out once it
     * connects; a full queue drops the message for that peer and counts it.
     *
     * @param message the message
     * @return the number of peers it was queued for
     */
    int broadcast(Message message);

    /**
     * Sends to these peers, writable or not (a plugin may answer a node it has not added). A named
     * node with no session is dialed for it; that session is not in the route table and not
     * writable.
     *
     * @param message the message
     * @param peers the peers
     * @return the number of peers it was queued for
     */
    int broadcast(Message message, NodeAddress... peers);

    /**
     * Sends to these peers; see {@link #broadcast(Message, NodeAddress...)}.
     *
     * @param message the message
     * @param peers the peers
     * @return the number of peers it was queued for
     */
    int broadcast(Message message, Collection<NodeAddress> peers);

    /**
     * Sends to n distinct writable peers chosen uniformly at random (fewer if fewer exist).
     *
     * @param message the message
     * @param n how many peers, zero or more
     * @return the peers it was queued for
     * @throws IllegalArgumentException if n is negative
     */
    List<NodeAddress> broadcastRandomly(Message message, int n);

    /**
     * Adds a node to the route table: it is dialed, kept connected, and writable.
     *
     * @param node the node
     * @return false if it was there
     */
    boolean add(NodeAddress node);

    /**
     * Deletes a node from the route table: its stream is closed.
     *
     * @param node the node
     * @return false if it was not there
     */
    boolean delete(NodeAddress node);

    /**
     * Adds a node to the route table as {@link #add(NodeAddress)} does, and pins the key it must
     * prove there: a session at that address whose handshake proves any other key (ours as the
     * dialer, or the node's when it dials us) fails, is counted in
     * {@link NetworkState#sessionsRefused()} and logged once. A key pinned on a node already in the
     * table replaces the one it had (and ends a session that proved another). Added to the
     * original contract; a network whose sessions prove no keys (the kcp transport without
     * {@code kcp.secure}) cannot check one and says so.
     *
     * @param contact the node's key and address
     * @return false if the address was in the route table already (its key is pinned all the same)
     * @throws IllegalArgumentException if this network's sessions prove no keys
     * @throws IllegalStateException if the network is closed
     */
    default boolean add(Contact contact) {
        throw new IllegalArgumentException(getClass().getName() + " proves no keys: it cannot dial " + contact
                + " and check the key");
    }

    /**
     * This node's own signed record (its key and the addresses it can be reached at), as its peers
     * get it over their sessions and a plugin may pass it on; a new one, with a larger sequence
     * number, whenever those addresses change. Added to the original contract.
     *
     * @return the record, or empty in a network without keys or before {@link #listen}
     */
    default Optional<NodeRecord> localRecord() {
        return Optional.empty();
    }

    /**
     * Reads a record another node made ({@link NodeRecord#encoded()}), checking its signature.
     * Garbage, a record that does not verify, or one of a kind this network does not know is
     * empty, never an exception: records arrive from the network. Added to the original contract.
     *
     * @param encoded the record's bytes
     * @return the record, if it is one and its signature checks out
     */
    default Optional<NodeRecord> readRecord(byte[] encoded) {
        return Optional.empty();
    }

    /**
     * A consistent snapshot of this node's peers and counters.
     *
     * @return the snapshot
     */
    NetworkState networkState();

    /**
     * Registers a plugin; see {@link Plugin#startup} for when it starts. On a listening network
     * it returns after the plugin's startup has run (except from a plugin's callback or task, as
     * for {@link #listen}). It hears every event queued from then on. One plugin instance is
     * registered once: twice, it would hear everything twice.
     *
     * @param plugin the plugin
     * @throws IllegalArgumentException if this plugin instance is registered already (the kcp transport)
     */
    void registerPlugin(Plugin plugin);

    /**
     * Removes a registered plugin: its {@link Plugin#close} runs once, serially with its other
     * callbacks and after the events already queued for it (which still reach it); no event or
     * {@link #schedule scheduled task} reaches it afterwards, and {@link #plugin(Class)} no longer finds it. Returns after its
     * close has run, except from a plugin's callback or task (then close follows the callback).
     * Added to the first release's contract; a network that cannot remove plugins throws
     * UnsupportedOperationException.
     *
     * @param plugin the plugin, as registered (compared by identity)
     * @return false if it was not registered
     * @throws IllegalStateException if the network is closed
     */
    default boolean removePlugin(Plugin plugin) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot remove plugins");
    }

    /**
     * Runs {@code task} once after {@code delay}, serially with {@code owner}'s callbacks (on the
     * thread that calls them, one at a time, as Netty's handlers use {@code ctx.executor().schedule}):
     * a plugin needs no lock for state that only its callbacks and its tasks touch. For periodic
     * work the task schedules the next one. The task does not run once its owner is removed or
     * the network is closed; one that throws is logged and counted in
     * {@link NetworkState#pluginFailures()}, like a callback. Added to the first release's
     * contract; a network that cannot schedule throws UnsupportedOperationException.
     *
     * @param owner a plugin registered with this network
     * @param delay how long from now, zero or more
     * @param task the work
     * @return completes when the task has run; {@code cancel} keeps it from running
     * @throws IllegalArgumentException if {@code owner} is not registered, or {@code delay} is negative
     * @throws IllegalStateException if the network is closed
     */
    default Future<?> schedule(Plugin owner, Duration delay, Runnable task) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot schedule plugin tasks");
    }

    /**
     * One peer's state, as {@code networkState().peer(node)} gives it, without a snapshot of
     * every other peer: what a plugin asks of one peer in a callback. A node with thousands of
     * sessions answers this at the cost of one, where {@link #networkState()} copies them all.
     * Added to the first release's contract; by default it takes the whole snapshot.
     *
     * @param node a peer's address
     * @return that peer, or empty if this network holds nothing of it
     * @throws IllegalStateException if the network is not listening or is closed
     */
    default Optional<PeerState> peerState(NodeAddress node) {
        return networkState().peer(node);
    }

    /**
     * The time this network runs on, the time of its {@link #schedule} and of the instants in
     * its {@link NetworkState} ({@link PeerState#lastSeen()}). A plugin takes every timestamp and
     * measures every interval on it, never on the system's clocks, so that it runs unchanged on a
     * network whose time is simulated. Added to the first release's contract; the system clock
     * by default.
     *
     * @return this network's clock
     */
    default InstantSource clock() {
        return InstantSource.system();
    }

    /**
     * Where this network's chance comes from: whom {@link #broadcastRandomly} picks, and what a
     * plugin picks at random (a peer to ask, the jitter of its next round). A plugin draws every
     * choice that is not a secret from it, so that a network whose time is simulated gives the
     * same run from the same seed; keys and nonces come from a {@link java.security.SecureRandom}
     * as ever. Use it on the thread that called for it, at once: the default is the calling
     * thread's {@link java.util.concurrent.ThreadLocalRandom}. Added to the first release's
     * contract.
     *
     * @return this network's source of chance, for the calling thread
     */
    default RandomGenerator random() {
        return ThreadLocalRandom.current();
    }

    /**
     * The first registered plugin that is an instance of type.
     *
     * @param type the type, usually a plugin's exported interface
     * @param <T> the type
     * @return the plugin, or empty
     */
    <T> Optional<T> plugin(Class<T> type);

    /**
     * The settings this network was created with.
     *
     * @return an unmodifiable map
     */
    Map<String, String> settings();

    /**
     * Closes every plugin, then every stream, then the socket. Idempotent. Returns once done,
     * except from a plugin's callback or task: there it does not wait for the plugins (the caller
     * is one), and from a {@linkplain Plugin#nonBlocking() non-blocking} plugin it returns at once
     * and the close finishes on another thread.
     */
    @Override
    void close();
}
