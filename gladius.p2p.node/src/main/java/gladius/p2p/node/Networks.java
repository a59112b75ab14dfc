package gladius.p2p.node;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import java.util.Map;

/** Network calls whose failures are the user's to fix, turned into one-line errors. */
final class Networks {

    private Networks() {}

    static Network create(Map<String, String> settings) {
        try {
            return Network.create(settings);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        } catch (IllegalStateException e) {
            throw new UserError(e.getMessage()); // no transport on the module path
        }
    }

    static void listen(Network network, NodeAddress address) {
        try {
            network.listen(address);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UserError(e.getMessage()); // a port in use, an address not on this machine
        }
    }

    static void add(Network network, NodeAddress node) {
        try {
            network.add(node);
        } catch (IllegalArgumentException e) {
            throw new UserError("--seed " + node + ": " + e.getMessage());
        }
    }
}
