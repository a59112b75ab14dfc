package gladius.p2p.testing;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Real networks on 127.0.0.1 for a test, created through {@link Network#create(Map)} (so the
 * transport and plugins are the ones on the module path) and closed together. A plugin callback
 * that threw fails the test when the cluster closes (or stops that node), as an exception in a
 * Netty handler fails a testsuite test, unless the test said it expects some
 * ({@link #expectPluginFailures()}).
 *
 * <pre>{@code
 * try (Cluster cluster = new Cluster()) {
 *     Network seed = cluster.start(Map.of("plugins", "discovery"));
 *     Network other = cluster.start(Map.of("plugins", "discovery", "discovery.seeds", seed.localAddress().toString()));
 *     ...
 * }
 * }</pre>
 */
public final class Cluster implements AutoCloseable {

    /** Listen here for a free port on loopback. */
    public static final NodeAddress LOOPBACK = new NodeAddress("127.0.0.1", 0);

    private final Map<String, String> defaults;
    private final List<Network> running = new ArrayList<>();
    private long pluginFailures;
    private volatile boolean pluginFailuresExpected;

    /** An empty cluster whose nodes get exactly the settings given to {@link #start}. */
    public Cluster() {
        this(Map.of());
    }

    /**
     * An empty cluster whose nodes all get these settings, under the ones given to each start.
     *
     * @param defaults settings every node gets unless its own say otherwise
     */
    public Cluster(Map<String, String> defaults) {
        this.defaults = Map.copyOf(Objects.requireNonNull(defaults, "defaults"));
    }

    /**
     * @param overrides settings of one node
     * @return this cluster's defaults with the overrides on top, in a new mutable map
     */
    public Map<String, String> settings(Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(defaults);
        settings.putAll(Objects.requireNonNull(overrides, "overrides"));
        return settings;
    }

    /**
     * Creates a network with these settings and starts it listening on a free loopback port.
     *
     * @param settings its settings (on top of the cluster's defaults)
     * @return the listening network
     */
    public Network start(Map<String, String> settings) {
        return startOn(LOOPBACK, settings);
    }

    /**
     * Creates a network, registers these plugins, then starts it listening on the given address
     * (such as the port of a node that stopped).
     *
     * @param address where to listen
     * @param settings its settings (on top of the cluster's defaults)
     * @param plugins plugins to register before it listens, in this order
     * @return the listening network
     */
    public Network startOn(NodeAddress address, Map<String, String> settings, Plugin... plugins) {
        Network network = Network.create(settings(settings));
        synchronized (this) {
            running.add(network);
        }
        for (Plugin plugin : plugins) {
            network.registerPlugin(plugin);
        }
        network.listen(address);
        return network;
    }

    /** The test makes plugins throw on purpose: closing does not count their failures against it. */
    public void expectPluginFailures() {
        pluginFailuresExpected = true;
    }

    /** @return the networks still running, in the order they started */
    public synchronized List<Network> nodes() {
        return List.copyOf(running);
    }

    /**
     * Closes one network, as a node that stops would.
     *
     * @param network a network of this cluster
     */
    public void stop(Network network) {
        synchronized (this) {
            if (!running.remove(Objects.requireNonNull(network, "network"))) {
                throw new IllegalArgumentException("network is not running in this cluster: " + network);
            }
        }
        closeCounting(network);
    }

    /** @return the running networks' addresses, comma-separated, as setting values want them */
    public synchronized String addresses() {
        return running.stream().map(n -> n.localAddress().toString()).collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        List<Network> all;
        synchronized (this) {
            all = List.copyOf(running);
            running.clear();
        }
        all.forEach(this::closeCounting);
        checkPluginFailures();
    }

    private void closeCounting(Network network) {
        try {
            long failures = network.networkState().pluginFailures();
            synchronized (this) {
                pluginFailures += failures;
            }
        } catch (IllegalStateException closedByTheTest) {
            // nothing to read from a network the test closed itself
        }
        network.close();
    }

    private void checkPluginFailures() {
        long failures;
        synchronized (this) {
            failures = pluginFailures;
        }
        if (failures > 0 && !pluginFailuresExpected) {
            throw new AssertionError(failures + " plugin callbacks threw (see the log); "
                    + "a test that makes them throw on purpose calls expectPluginFailures()");
        }
    }
}
