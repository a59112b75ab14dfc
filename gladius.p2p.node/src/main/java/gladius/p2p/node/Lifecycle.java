package gladius.p2p.node;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * What a command that keeps nodes up shares ({@code run} and {@code demo}), in one place: the
 * {@code --metrics} and {@code --http} options and their servers over the command's nodes, how
 * the command is stopped, and the order things close in. A signal (SIGINT, SIGTERM) only wakes
 * the command's thread in {@link #awaitStop}; that thread closes the servers and then the nodes
 * ({@link #close}), and the JVM waits for it (up to {@value #CLOSE_WAIT_MILLIS} ms) before it
 * exits. A picocli mixin; closing twice is harmless.
 */
final class Lifecycle implements AutoCloseable {

    /** How long a signalled JVM waits for the command to close its nodes. */
    static final long CLOSE_WAIT_MILLIS = 10_000;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", description = "Serve the nodes' Prometheus metrics at "
            + "http://HOST:PORT/metrics (127.0.0.1:9400 to keep them on this machine).", converter = Addresses.class)
    NodeAddress metrics;

    @Option(names = "--http", paramLabel = "HOST:PORT", description = "Serve a live page of the nodes at http://HOST:PORT/ "
            + "(127.0.0.1:8080 to keep it on this machine).", converter = Addresses.class)
    NodeAddress http;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private Supplier<List<Network>> nodes = List::of;
    private Thread hook;
    private MetricsServer exporter;
    private LivePage page;

    /**
     * The command's nodes, which the servers show and {@link #close} closes; from now on a signal
     * wakes {@link #awaitStop} instead of ending the JVM under the nodes.
     */
    void manage(Supplier<List<Network>> nodes) {
        this.nodes = nodes;
        hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "gladius-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts what {@code --metrics} and {@code --http} ask for, and says where each is. */
    void serve(PrintWriter out, String prefix) {
        if (metrics != null) {
            exporter = MetricsServer.start(metrics, nodes);
            out.println(prefix + "metrics at http://" + exporter.address() + "/metrics");
        }
        if (http != null) {
            page = LivePage.start(http, nodes);
            out.println(prefix + "live page at http://" + page.address() + "/");
        }
    }

    /** Whether a live page is served (a demo then stays up for it). */
    boolean servesPage() {
        return page != null;
    }

    /** Waits for a signal, up to the timeout; true once one came. */
    boolean awaitStop(long timeout, TimeUnit unit) throws InterruptedException {
        return stop.await(timeout, unit);
    }

    /** Waits for a signal. */
    void awaitStop() throws InterruptedException {
        stop.await();
    }

    /** Stops the servers, then closes the nodes; a signalled JVM then exits. */
    @Override
    public void close() {
        try {
            if (exporter != null) {
                exporter.close();
                exporter = null;
            }
            if (page != null) {
                page.close();
                page = null;
            }
            nodes.get().forEach(Network::close);
        } finally {
            closed.countDown();
            if (hook != null && stop.getCount() > 0) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook); // not signalled: nothing left for it to wait for
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting already; the hook finds the latch open
                }
                hook = null;
            }
        }
    }
}
