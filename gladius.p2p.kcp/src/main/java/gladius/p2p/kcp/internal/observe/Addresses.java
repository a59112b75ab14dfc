package gladius.p2p.kcp.internal.observe;

import gladius.p2p.NodeAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** How a socket address is written wherever the node shows one: state, events, records, logs. */
public final class Addresses {

    private Addresses() {}

    /**
     * A socket address as a node address, in Java's canonical text. A native socket reports IPv6
     * senders with scope id 0 ({@code 0:0:0:0:0:0:0:1%0}), the same address as without one: the
     * text drops it, so a node's address reads the same on every socket implementation.
     */
    public static NodeAddress nodeAddress(InetSocketAddress socket) {
        InetAddress ip = socket.getAddress();
        String host = ip.getHostAddress();
        if (ip instanceof Inet6Address v6 && v6.getScopeId() == 0 && v6.getScopedInterface() == null) {
            int scope = host.indexOf('%');
            host = scope < 0 ? host : host.substring(0, scope);
        }
        return new NodeAddress(host, socket.getPort());
    }
}
