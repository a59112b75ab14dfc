package gladius.p2p;

import java.util.Comparator;
import java.util.Objects;

/**
 * Where a node listens: a host (name or IP literal) and a UDP port.
 *
 * <p>An IPv6 literal is held without brackets ({@code "::1"}) and written with them
 * ({@code "[::1]:7000"}). Port 0 is allowed only as an argument to {@link Network#listen}
 * (pick a free port).
 *
 * @param host a host name, an IPv4 literal or an IPv6 literal without brackets
 * @param port a UDP port, 0 to 65535
 */
public record NodeAddress(String host, int port) implements Comparable<NodeAddress> {

    private static final Comparator<NodeAddress> ORDER =
            Comparator.comparing(NodeAddress::host).thenComparingInt(NodeAddress::port);

    /**
     * Checks both parts.
     *
     * @param host a host name, an IPv4 literal or an IPv6 literal without brackets
     * @param port a UDP port, 0 to 65535
     * @throws IllegalArgumentException if the host is empty, too long or holds characters no host
     *         name or IP literal has, or the port is outside 0 to 65535
     */
    public NodeAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || host.length() > 253) {
            throw new IllegalArgumentException("host must be 1 to 253 characters: '" + host + "'");
        }
        boolean ipv6 = host.indexOf(':') >= 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_'
                    || (ipv6 && (c == ':' || c == '%')));
            if (!ok) {
                throw new IllegalArgumentException("host has a character that no host name or IP literal has: '"
                        + host + "'");
            }
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535: " + port);
        }
    }

    /**
     * Parses {@code "host:port"}, {@code "1.2.3.4:7000"} or {@code "[::1]:7000"}.
     *
     * @param text the address
     * @return the address
     * @throws IllegalArgumentException on anything else, naming the text
     */
    public static NodeAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("address must be [ipv6]:port: '" + text + "'");
            }
            host = text.substring(1, close);
            if (host.indexOf(':') < 0) {
                throw new IllegalArgumentException("only an IPv6 literal goes in brackets: '" + text + "'");
            }
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon) {
                throw new IllegalArgumentException("address must be host:port (IPv6 as [host]:port): '" + text + "'");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port must be a number from 0 to 65535: '" + text + "'");
        }
        try {
            return new NodeAddress(host, Integer.parseInt(port));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad address '" + text + "': " + e.getMessage(), e);
        }
    }

    /**
     * The canonical text form; {@code parse(a.toString()).equals(a)} always holds.
     *
     * @return {@code host:port}, or {@code [host]:port} for an IPv6 literal
     */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** Orders by host text, then port. */
    @Override
    public int compareTo(NodeAddress other) {
        return ORDER.compare(this, other);
    }
}
