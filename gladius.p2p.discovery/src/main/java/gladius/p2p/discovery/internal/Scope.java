package gladius.p2p.discovery.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HexFormat;

/**
 * What kind of network an address is on, as far as whom discovery may dial: an address no node
 * can have (unspecified, multicast, broadcast), this host's own (loopback), one behind a router
 * (private: RFC 1918, shared CGNAT space, link-local, IPv6 unique-local), or one anybody can reach.
 * A peer must not be able to make a node dial its neighbours on a LAN, or itself.
 */
enum Scope {
    NONE, LOOPBACK, PRIVATE, PUBLIC;

    static Scope of(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isMulticastAddress() || isBroadcast(address)) {
            return NONE;
        }
        if (address.isLoopbackAddress()) {
            return LOOPBACK;
        }
        if (address.isSiteLocalAddress() || address.isLinkLocalAddress() || isSharedOrUniqueLocal(address.getAddress())) {
            return PRIVATE;
        }
        return PUBLIC;
    }

    /**
     * Whether a node in scope {@code local} may dial an address of this scope that a peer in scope
     * {@code from} told it about: never one no node can have; its own host's or a private one only
     * if it, or the peer that told it, is on such a network itself.
     */
    boolean dialableFor(Scope local, Scope from) {
        return switch (this) {
            case NONE -> false;
            case PUBLIC -> true;
            case LOOPBACK, PRIVATE -> local == this || from == this;
        };
    }

    /** The block an address belongs to for diversity limits: its IPv4 /24 or IPv6 /48, as discv5 counts. */
    static String subnet(InetAddress address) {
        byte[] ip = address.getAddress();
        return HexFormat.of().formatHex(ip, 0, ip.length == 4 ? 3 : 6);
    }

    private static boolean isBroadcast(InetAddress address) {
        byte[] ip = address.getAddress();
        return address instanceof Inet4Address && (ip[0] & ip[1] & ip[2] & ip[3]) == (byte) 0xff;
    }

    /** 100.64.0.0/10 (carrier-grade NAT) or fc00::/7 (IPv6 unique local). */
    private static boolean isSharedOrUniqueLocal(byte[] ip) {
        if (ip.length == 4) {
            return (ip[0] & 0xff) == 100 && (ip[1] & 0xc0) == 64;
        }
        return (ip[0] & 0xfe) == 0xfc;
    }
}
