package gladius.p2p.node;

import com.sun.net.httpserver.HttpExchange;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * {@code --http HOST:PORT}: a page that shows nodes as they run, updating itself. {@code /} is the
 * page (self-contained: no script or style from anywhere else, so it works offline) with the
 * {@link LiveState} of the moment in it, {@code /state} one snapshot as JSON, {@code /events} a
 * snapshot a second as server-sent events. Read-only, as every {@link ReadOnlyHttp}; at most {@value #MAX_WATCHERS}
 * pages follow the events at once (each holds a thread), more get 503 and retry. A stream of
 * events ends after {@value #STREAM_SECONDS} s (before the server's own limit on an answer) and the
 * page's EventSource reconnects a second later: a watcher that stopped reading gives its place
 * back within that time, whatever the buffers between it and this server hold.
 */
final class LivePage implements AutoCloseable {

    static final int MAX_WATCHERS = 8;
    static final int STREAM_SECONDS = 25;
    private static final long EVERY_MILLIS = 1_000;

    private final ReadOnlyHttp http;

    private LivePage(ReadOnlyHttp http) {
        this.http = http;
    }

    static LivePage start(NodeAddress address, Supplier<List<Network>> networks) {
        return start(address, networks, Duration.ofSeconds(STREAM_SECONDS));
    }

    /** The same with streams of events ending after {@code stream} (a test's shorter one). */
    static LivePage start(NodeAddress address, Supplier<List<Network>> networks, Duration stream) {
        String page = LiveState.page();
        Semaphore watchers = new Semaphore(MAX_WATCHERS);
        return new LivePage(ReadOnlyHttp.start("--http", address, MAX_WATCHERS + 2, Map.of(
                "/", exchange -> ReadOnlyHttp.send(exchange, "text/html; charset=utf-8",
                        page.replace("/*STATE*/null", LiveState.json(networks.get()))),
                "/state", exchange -> ReadOnlyHttp.send(exchange, "application/json", LiveState.json(networks.get())),
                "/events", exchange -> events(exchange, networks, watchers, stream))));
    }

    private static void events(HttpExchange exchange, Supplier<List<Network>> networks, Semaphore watchers, Duration stream)
            throws IOException {
        if (!watchers.tryAcquire()) {
            exchange.getResponseHeaders().set("Retry-After", "5");
            exchange.sendResponseHeaders(503, -1);
            return;
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            if (exchange.getRequestMethod().equals("HEAD")) {
                return;
            }
            OutputStream out = exchange.getResponseBody();
            out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8)); // how soon the page reconnects when this ends
            long end = System.nanoTime() + stream.toNanos();
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() < end) {
                out.write(("data: " + LiveState.json(networks.get()) + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush(); // a page that went away makes this throw, which ends the stream
                Thread.sleep(Math.min(EVERY_MILLIS, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        } catch (IOException gone) {
            // the page closed
        } finally {
            watchers.release();
        }
    }

    NodeAddress address() {
        return http.address();
    }

    @Override
    public void close() {
        http.close();
    }
}
