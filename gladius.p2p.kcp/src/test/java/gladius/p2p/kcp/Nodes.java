package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts real networks on 127.0.0.1 for a test, in one {@link Mode}, and closes them after it.
 * A plugin callback that threw fails the test at close (as an exception in a Netty handler fails
 * a testsuite test), unless the test said it expects some.
 */
final class Nodes implements AutoCloseable {
    static final NodeAddress ANY_LOOPBACK_PORT = new NodeAddress("127.0.0.1", 0);

    private final Mode mode;
    private final List<Network> started = new ArrayList<>();
    private boolean pluginFailuresExpected;

    /** Plain mode: for tests of the plain protocol itself. */
    Nodes() {
        this(Mode.PLAIN);
    }

    Nodes(Mode mode) {
        this.mode = mode;
    }

    /** The settings every node gets: provider kcp, no plugins, this mode, then these extra key-value pairs. */
    Map<String, String> settings(String... keyValues) {
        Map<String, String> settings = new HashMap<>();
        settings.put("provider", "kcp");
        settings.put("plugins", "none");
        settings.putAll(mode.settings());
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        return settings;
    }

    /** A listening network with no plugins but an inbox, and these extra settings. */
    Node start(String... keyValues) {
        return startOn(ANY_LOOPBACK_PORT, keyValues);
    }

    /** The same on a given address, such as the port of a node that stopped. */
    Node startOn(NodeAddress address, String... keyValues) {
        Network network = Network.create(settings(keyValues));
        synchronized (this) {
            started.add(network);
        }
        Inbox inbox = new Inbox();
        network.registerPlugin(inbox);
        network.listen(address);
        return new Node(network, inbox);
    }

    /** The test makes plugins throw on purpose: close does not count their failures against it. */
    void expectPluginFailures() {
        pluginFailuresExpected = true;
    }

    @Override
    public void close() {
        List<Network> all;
        synchronized (this) {
            all = List.copyOf(started);
        }
        long failures = 0;
        for (Network network : all) {
            try {
                failures += network.networkState().pluginFailures();
            } catch (IllegalStateException closedByTheTest) {
                // nothing to read from a network the test closed itself
            }
            network.close();
        }
        if (!pluginFailuresExpected) {
            assertEquals(0, failures, "plugin callbacks threw (see the log)");
        }
    }

    record Node(Network network, Inbox inbox) {
        NodeAddress address() {
            return network.localAddress();
        }
    }
}
