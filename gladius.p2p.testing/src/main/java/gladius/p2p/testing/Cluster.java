package gladius.p2p.testing;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Real networks on 127.0.0.1 for a test, created through {@link Network#create(Map)} (so the
 * transport and plugins are the ones on the module path) and closed together.
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

    private final List<Network> running = new ArrayList<>();

    /** An empty cluster. */
    public Cluster() {}

    /**
     * Creates a network with these settings and starts it listening on a free loopback port.
     *
     * @param settings its settings
     * @return the listening network
     */
    public synchronized Network start(Map<String, String> settings) {
        Network network = Network.create(settings);
        running.add(network);
        network.listen(LOOPBACK);
        return network;
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
        network.close();
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
        all.forEach(Network::close);
    }
}
