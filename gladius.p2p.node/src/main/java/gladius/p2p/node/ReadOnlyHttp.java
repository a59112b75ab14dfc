package gladius.p2p.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import gladius.p2p.NodeAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small HTTP server of the JDK's ({@code jdk.httpserver}, in the image) that only shows: GET and
 * HEAD of its routes, 404 for any other path, 405 for any other method. What {@code --metrics}
 * and {@code --http} serve; nothing it answers can change a node.
 *
 * <p>What a client can do to it is bounded (docs/SECURITY.md, "A local web page"): a request must
 * arrive whole within {@value #REQUEST_SECONDS} s and an answer must be taken within
 * {@value #RESPONSE_SECONDS} s, or the JDK's server closes the connection (its
 * {@code sun.net.httpserver.maxReqTime} and {@code maxRspTime}, set here unless the user set
 * them; a stream of events ends before that and the page reconnects); and a request whose Host
 * names another host than this server's is refused (421), so a web page that rebinds its own
 * name to this address cannot read from it (DNS rebinding).
 */
final class ReadOnlyHttp implements AutoCloseable {

    static final int REQUEST_SECONDS = 5;
    static final int RESPONSE_SECONDS = 30;

    static {
        // Read once by the JDK's server when its first instance is made. Off by default: a request that
        // never finishes arriving, or an answer a client never reads, would hold one of our threads for good.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
        }
        if (System.getProperty("sun.net.httpserver.maxRspTime") == null) {
            System.setProperty("sun.net.httpserver.maxRspTime", Integer.toString(RESPONSE_SECONDS));
        }
    }

    /** One path's answer to a GET or HEAD. */
    interface Route {
        void serve(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private ReadOnlyHttp(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Serves these routes on this address with this many threads (a streaming route holds one per
     * client, and a request still arriving holds one for up to {@value #REQUEST_SECONDS} s: more
     * than one, so that one slow client does not stop the rest); a UserError naming {@code option}
     * if it cannot bind.
     */
    static ReadOnlyHttp start(String option, NodeAddress address, int threads, Map<String, Route> routes) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 16);
        } catch (IOException e) {
            throw new UserError(option + " " + address + ": cannot listen there (" + e.getMessage() + ")");
        }
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, "gladius" + option.substring(1)); // gladius-metrics, gladius-http
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        String ownName = address.host();
        server.createContext("/", exchange -> {
            try (exchange) {
                Route route = routes.get(exchange.getRequestURI().getPath());
                String method = exchange.getRequestMethod();
                if (!hostAllowed(exchange.getRequestHeaders().getFirst("Host"), ownName)) {
                    exchange.sendResponseHeaders(421, -1);
                } else if (route == null) {
                    exchange.sendResponseHeaders(404, -1);
                } else if (!method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    exchange.sendResponseHeaders(405, -1);
                } else {
                    route.serve(exchange);
                }
            }
        });
        server.start();
        return new ReadOnlyHttp(server, executor);
    }

    /**
     * Whether a request's Host header names this server: an IP address (a browser that was sent
     * to an address directly), {@code localhost}, or the name it was started on. A page from a
     * name that its owner pointed at this address (DNS rebinding) carries that name, and is refused.
     * A request without Host (HTTP/1.0, as a tool may send) cannot come from a browser.
     */
    static boolean hostAllowed(String host, String ownName) {
        if (host == null) {
            return true;
        }
        String name = host.trim().toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            return name.indexOf(']') > 1; // an IPv6 literal
        }
        int colon = name.lastIndexOf(':');
        if (colon >= 0) {
            name = name.substring(0, colon);
        }
        boolean ipv4 = !name.isEmpty() && name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
        return ipv4 || name.equals("localhost") || name.equals(ownName.toLowerCase(Locale.ROOT));
    }

    /** Answers with a whole body (none for HEAD). */
    static void send(HttpExchange exchange, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(200, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Where it listens (the port chosen, if 0 was asked for). */
    NodeAddress address() {
        InetSocketAddress bound = server.getAddress();
        return new NodeAddress(bound.getAddress().getHostAddress(), bound.getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
