package gladius.p2p.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import gladius.p2p.NodeAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small HTTP server of the JDK's ({@code jdk.httpserver}, in the image) that only shows: GET and
 * HEAD of its routes, 404 for any other path, 405 for any other method. What {@code --metrics}
 * and {@code --http} serve; nothing it answers can change a node.
 */
final class ReadOnlyHttp implements AutoCloseable {

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
     * client); a UserError naming {@code option} if it cannot bind.
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
        server.createContext("/", exchange -> {
            try (exchange) {
                Route route = routes.get(exchange.getRequestURI().getPath());
                String method = exchange.getRequestMethod();
                if (route == null) {
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
