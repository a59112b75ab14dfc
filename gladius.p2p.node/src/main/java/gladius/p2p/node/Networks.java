package gladius.p2p.node;

import gladius.p2p.Contact;
import gladius.p2p.Network;
import gladius.p2p.NoTransportException;
import gladius.p2p.NodeAddress;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Network calls whose failures are the user's to fix, turned into one-line errors. */
final class Networks {

    private Networks() {}

    static Network create(Map<String, String> settings) {
        try {
            return Network.create(settings);
        } catch (IllegalArgumentException | NoTransportException e) {
            throw new UserError(e.getMessage()); // a bad setting, or no transport on the module path: the user's to fix
        }
    }

    static void listen(Network network, NodeAddress address) {
        try {
            network.listen(address);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage()); // an address that does not resolve
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof SocketException) {
                throw new UserError(e.getMessage()); // a port in use, an address not on this machine
            }
            throw e; // anything else is a bug, and keeps its stack trace
        }
    }

    /**
     * A short-lived command's wait for an answer: the future's value, by the deadline ({@code System.nanoTime()}).
     *
     * @throws TimeoutException if it has not completed by then
     * @throws IllegalStateException with the cause if it failed (the network closed, say)
     */
    static <T> T await(CompletableFuture<T> future, long deadline) throws InterruptedException, TimeoutException {
        try {
            return future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Adds a node as the user named it, its key pinned if given; a key a plain network cannot check is the user's mistake. */
    static void add(Network network, Contacts node) {
        try {
            if (node.key().isPresent()) {
                network.add(new Contact(node.key().get(), node.address()));
            } else {
                network.add(node.address());
            }
        } catch (IllegalArgumentException e) {
            throw new UserError("--seed " + node + ": " + e.getMessage());
        }
    }
}
