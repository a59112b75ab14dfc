package gladius.p2p.kcp;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Starts real networks on 127.0.0.1 for a test and closes them after it. */
final class Nodes implements AutoCloseable {
    static final NodeAddress ANY_LOOPBACK_PORT = new NodeAddress("127.0.0.1", 0);

    private final List<Network> started = new ArrayList<>();

    /** A listening network with no plugins but an inbox, and these extra settings. */
    Node start(String... keyValues) {
        Map<String, String> settings = new HashMap<>();
        settings.put("provider", "kcp");
        settings.put("plugins", "none");
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        return startOn(ANY_LOOPBACK_PORT, settings);
    }

    Node startOn(NodeAddress address, Map<String, String> settings) {
        Network network = Network.create(settings);
        started.add(network);
        Inbox inbox = new Inbox();
        network.registerPlugin(inbox);
        network.listen(address);
        return new Node(network, inbox);
    }

    @Override
    public void close() {
        started.forEach(Network::close);
    }

    record Node(Network network, Inbox inbox) {
        NodeAddress address() {
            return network.localAddress();
        }
    }
}
