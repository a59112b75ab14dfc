package gladius.p2p.kcp;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.testing.Cluster;
import gladius.p2p.testing.Inbox;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link Cluster} of kcp nodes in one {@link Mode}, each started with an {@link Inbox}: what
 * the contract tests start their nodes with. Settings come as key-value pairs on top of the
 * mode's; a plugin callback that threw fails the test at close unless it said it expects some.
 */
final class Nodes implements AutoCloseable {
    static final NodeAddress ANY_LOOPBACK_PORT = Cluster.LOOPBACK;

    private final Cluster cluster;

    /** Plain mode: for tests of the plain protocol itself. */
    Nodes() {
        this(Mode.PLAIN_EPOLL);
    }

    Nodes(Mode mode) {
        Map<String, String> defaults = new HashMap<>(mode.settings());
        defaults.put("provider", "kcp");
        defaults.put("plugins", "none");
        this.cluster = new Cluster(defaults);
    }

    /** The settings every node gets: provider kcp, no plugins, this mode, then these extra key-value pairs. */
    Map<String, String> settings(String... keyValues) {
        return cluster.settings(pairs(keyValues));
    }

    /** A listening network with no plugins but an inbox, and these extra settings. */
    Node start(String... keyValues) {
        return startOn(ANY_LOOPBACK_PORT, keyValues);
    }

    /** The same on a given address, such as the port of a node that stopped. */
    Node startOn(NodeAddress address, String... keyValues) {
        Inbox inbox = new Inbox();
        return new Node(cluster.startOn(address, pairs(keyValues), inbox), inbox);
    }

    /** The test makes plugins throw on purpose: close does not count their failures against it. */
    void expectPluginFailures() {
        cluster.expectPluginFailures();
    }

    @Override
    public void close() {
        cluster.close();
    }

    private static Map<String, String> pairs(String... keyValues) {
        Map<String, String> pairs = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            pairs.put(keyValues[i], keyValues[i + 1]);
        }
        return pairs;
    }

    record Node(Network network, Inbox inbox) {
        NodeAddress address() {
            return network.localAddress();
        }
    }
}
