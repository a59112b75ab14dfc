package gladius.p2p.kcp.internal.core;

import java.net.InetAddress;

/**
 * Which network an address belongs to, as far as diversity rules care: its IPv4 /24 or its IPv6
 * /48, the blocks one operator usually holds (discv5 counts the same). Many addresses of one block
 * count as one when this node picks relays.
 */
final class Subnets {

    private Subnets() {}

    /** The block's text: its first three bytes (IPv4) or six (IPv6), in hex. */
    static String of(InetAddress address) {
        byte[] ip = address.getAddress();
        int prefix = ip.length == 4 ? 3 : 6;
        return java.util.HexFormat.of().formatHex(ip, 0, prefix);
    }
}
