package gladius.p2p.discovery.internal;

import gladius.p2p.NodeAddress;
import gladius.p2p.discovery.DiscoveryService;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The discovery wire format that {@link DiscoveryService}'s javadoc documents. */
final class Answers {

    static final byte VERSION = 1;
    private static final byte[] REQUEST = {VERSION};

    private Answers() {}

    static byte[] request() {
        return REQUEST.clone();
    }

    static boolean isRequest(ByteBuffer body) {
        return body.remaining() == 1 && body.get(body.position()) == VERSION;
    }

    /** Encodes an answer; nodes whose host is not an IP literal are left out. */
    static byte[] answer(Collection<NodeAddress> nodes) {
        ByteBuffer out = ByteBuffer.allocate(2 + Math.min(nodes.size(), DiscoveryService.MAX_ANSWER) * 19);
        out.put(VERSION).put((byte) 0);
        int count = 0;
        for (NodeAddress node : nodes) {
            if (count == DiscoveryService.MAX_ANSWER) {
                break;
            }
            Optional<byte[]> ip = ipLiteral(node.host());
            if (ip.isEmpty()) {
                continue;
            }
            out.put((byte) (ip.get().length == 4 ? 4 : 6)).put(ip.get()).putShort((short) node.port());
            count++;
        }
        out.put(1, (byte) count);
        byte[] body = new byte[out.position()];
        out.flip().get(body);
        return body;
    }

    /** The nodes of an answer, or empty if the body breaks the format in any way. */
    static Optional<List<NodeAddress>> parseAnswer(ByteBuffer body) {
        ByteBuffer in = body.duplicate();
        try {
            if (in.get() != VERSION) {
                return Optional.empty();
            }
            int count = Byte.toUnsignedInt(in.get());
            if (count > DiscoveryService.MAX_ANSWER) {
                return Optional.empty();
            }
            List<NodeAddress> nodes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int family = in.get();
                byte[] ip = switch (family) {
                    case 4 -> new byte[4];
                    case 6 -> new byte[16];
                    default -> null;
                };
                if (ip == null) {
                    return Optional.empty();
                }
                in.get(ip);
                int port = Short.toUnsignedInt(in.getShort());
                if (port == 0) {
                    return Optional.empty();
                }
                nodes.add(new NodeAddress(InetAddress.getByAddress(ip).getHostAddress(), port));
            }
            return in.hasRemaining() ? Optional.empty() : Optional.of(nodes);
        } catch (BufferUnderflowException | UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** The bytes of an IP literal, without any name lookup; empty for a host name. */
    private static Optional<byte[]> ipLiteral(String host) {
        boolean v4 = host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
        boolean v6 = host.indexOf(':') >= 0;
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            // A literal never triggers a lookup, which is why the check above comes first.
            InetAddress address = InetAddress.getByName(host);
            return address instanceof Inet4Address || address instanceof Inet6Address
                    ? Optional.of(address.getAddress()) : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
