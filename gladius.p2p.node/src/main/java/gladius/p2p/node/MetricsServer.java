package gladius.p2p.node;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code --metrics HOST:PORT}: {@link Metrics} at {@code /metrics}, and nothing else. A scrape is
 * a snapshot per node and takes milliseconds; four threads, so that a client that sends its
 * request slowly (it may, for {@value ReadOnlyHttp#REQUEST_SECONDS} s) does not hold up Prometheus.
 */
final class MetricsServer implements AutoCloseable {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final ReadOnlyHttp http;

    private MetricsServer(ReadOnlyHttp http) {
        this.http = http;
    }

    /** Serves these networks' figures on this address; a UserError naming --metrics if it cannot bind. */
    static MetricsServer start(NodeAddress address, Supplier<List<Network>> networks) {
        return new MetricsServer(ReadOnlyHttp.start("--metrics", address, 4,
                Map.of("/metrics", exchange -> ReadOnlyHttp.send(exchange, CONTENT_TYPE, Metrics.text(networks.get())))));
    }

    /** Where it listens (the port chosen, if 0 was asked for). */
    NodeAddress address() {
        return http.address();
    }

    @Override
    public void close() {
        http.close();
    }
}
