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

    static final byte VERSION = 2;
    /** The longest node record an answer may carry for one node. */
    static final int MAX_RECORD = 512;
    private static final byte[] REQUEST = {VERSION};

    private Answers() {}

    /** One node of an answer: where the answering node holds its session, and its signed record (empty in a network without keys). */
    record Entry(NodeAddress address, byte[] record) {}

    static byte[] request() {
        return REQUEST.clone();
    }

    static boolean isRequest(ByteBuffer body) {
        return body.remaining() == 1 && body.get(body.position()) == VERSION;
    }

    /** Encodes an answer of at most {@link DiscoveryService#MAX_ANSWER} entries; those whose host is not an IP literal are left out. */
    static byte[] answer(Collection<Entry> entries) {
        List<byte[]> encoded = new ArrayList<>();
        int size = 2;
        for (Entry entry : entries) {
            if (encoded.size() == DiscoveryService.MAX_ANSWER) {
                break;
            }
            Optional<byte[]> ip = ipLiteral(entry.address().host());
            if (ip.isEmpty() || entry.record().length > MAX_RECORD) {
                continue;
            }
            ByteBuffer one = ByteBuffer.allocate(1 + ip.get().length + 2 + 2 + entry.record().length);
            one.put((byte) (ip.get().length == 4 ? 4 : 6)).put(ip.get()).putShort((short) entry.address().port())
                    .putShort((short) entry.record().length).put(entry.record());
            encoded.add(one.array());
            size += one.capacity();
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(VERSION).put((byte) encoded.size());
        encoded.forEach(out::put);
        return out.array();
    }

    /** The entries of an answer, or empty if the body breaks the format in any way. */
    static Optional<List<Entry>> parseAnswer(ByteBuffer body) {
        ByteBuffer in = body.duplicate();
        try {
            if (in.get() != VERSION) {
                return Optional.empty();
            }
            int count = Byte.toUnsignedInt(in.get());
            if (count > DiscoveryService.MAX_ANSWER) {
                return Optional.empty();
            }
            List<Entry> entries = new ArrayList<>(count);
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
                int recordLength = Short.toUnsignedInt(in.getShort());
                if (port == 0 || recordLength > MAX_RECORD) {
                    return Optional.empty();
                }
                byte[] record = new byte[recordLength];
                in.get(record);
                entries.add(new Entry(new NodeAddress(InetAddress.getByAddress(ip).getHostAddress(), port), record));
            }
            return in.hasRemaining() ? Optional.empty() : Optional.of(entries);
        } catch (BufferUnderflowException | UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** The bytes of an IP literal, without any name lookup; empty for a host name. */
    static Optional<byte[]> ipLiteral(String host) {
        Optional<InetAddress> address = literal(host);
        return address.map(InetAddress::getAddress);
    }

    /** The address of an IP literal, without any name lookup; empty for a host name. */
    static Optional<InetAddress> literal(String host) {
        boolean v4 = host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
        boolean v6 = host.indexOf(':') >= 0;
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            // A literal never triggers a lookup, which is why the check above comes first.
            InetAddress address = InetAddress.getByName(host);
            return address instanceof Inet4Address || address instanceof Inet6Address ? Optional.of(address) : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
