package gladius.p2p.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code --metrics HOST:PORT}: {@link Metrics} at {@code /metrics} over HTTP, from the JDK's own
 * server ({@code jdk.httpserver}, in the image). Answers GET and HEAD of {@code /metrics} only;
 * everything else is 404 or 405: it serves nothing that can change a node. One thread: a scrape
 * is a snapshot per node and takes milliseconds.
 */
final class MetricsServer implements AutoCloseable {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Serves these networks' figures on this address; a UserError naming --metrics if it cannot bind. */
    static MetricsServer start(NodeAddress address, Supplier<List<Network>> networks) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 16);
        } catch (IOException e) {
            throw new UserError("--metrics " + address + ": cannot listen there (" + e.getMessage() + ")");
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "gladius-metrics");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                serve(exchange, networks);
            }
        });
        server.start();
        return new MetricsServer(server, executor);
    }

    private static void serve(HttpExchange exchange, Supplier<List<Network>> networks) throws IOException {
        String method = exchange.getRequestMethod();
        if (!exchange.getRequestURI().getPath().equals("/metrics")) {
            exchange.sendResponseHeaders(404, -1);
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            exchange.sendResponseHeaders(405, -1);
        } else {
            byte[] body = Metrics.text(networks.get()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(200, method.equals("HEAD") ? -1 : body.length);
            if (method.equals("GET")) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
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
