package gladius.p2p.node;

import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.latency.PeerLatency;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gladius demo}: N nodes on loopback in this process, seeded from the first. Shows
 * discovery converging, the latency table, signed state spreading, then a summary; exits 0 only
 * if discovery converged and every node holds every entry.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run N nodes on loopback and watch discovery, latency and signed state converge.",
        sortOptions = false)
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", description = "Nodes to start. Default: ${DEFAULT-VALUE}.", defaultValue = "16")
    int nodes;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long each phase may take. Default: ${DEFAULT-VALUE}.",
            defaultValue = "60s", converter = Durations.class)
    Duration timeout;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting for every node (repeatable).")
    List<String> pairs = new ArrayList<>();

    private PrintWriter out;
    /** Peers each node should come to know: all others, or discovery.max-peers if fewer. */
    private int peersEach;

    @Override
    public Integer call() {
        if (nodes < 2 || nodes > 500) {
            throw new UserError("--nodes must be from 2 to 500: " + nodes);
        }
        out = spec.commandLine().getOut();
        Map<String, String> settings = new HashMap<>(Map.of("discovery.interval", "250ms",
                "discovery.max-peers", Integer.toString(Math.max(64, nodes)), "latency.interval", "250ms",
                "ethstate.interval", "500ms", "kcp.max-sessions-per-ip", Integer.toString(Math.max(256, 2 * nodes))));
        settings.putAll(NodeSettings.build(null, pairs));
        NodeSettings.checkNamespaces(settings);

        List<Network> cluster = new ArrayList<>();
        try {
            return run(cluster, settings);
        } finally {
            cluster.forEach(Network::close);
        }
    }

    private int run(List<Network> cluster, Map<String, String> settings) {
        Network first = Networks.create(settings);
        cluster.add(first);
        Networks.listen(first, new NodeAddress("127.0.0.1", 0));
        Map<String, String> seeded = new HashMap<>(settings);
        seeded.merge("discovery.seeds", first.localAddress().toString(), (a, b) -> a + "," + b);
        for (int i = 1; i < nodes; i++) {
            Network node = Networks.create(seeded);
            cluster.add(node);
            Networks.listen(node, new NodeAddress("127.0.0.1", 0));
            if (!Parts.has("gladius.p2p.discovery")) {
                node.add(first.localAddress()); // without discovery, the seed is all a node knows
            }
        }
        out.printf("gladius demo: %d nodes on 127.0.0.1, seeded from %s%n%n", nodes, first.localAddress());

        // Discovery stops adding peers at discovery.max-peers: converged is every node knowing that many, or everyone.
        peersEach = Math.min(nodes - 1, maxPeers(settings));
        long target = (long) nodes * peersEach;
        Duration discovery = phase("discovery", "known peers", target, () -> knownPeers(cluster));
        boolean discovered = knownPeers(cluster) == target;

        if (Parts.latency()) {
            out.println();
            phase("latency", "peers measured", target, () -> measuredPeers(cluster));
            latencyTable(cluster);
        }

        Duration spread = Duration.ZERO;
        boolean agreed = true;
        long entries = (long) nodes * nodes;
        if (Parts.ethstate() && EthStateView.of(first).isPresent()) {
            out.println();
            for (int i = 0; i < cluster.size(); i++) {
                EthStateView.put(cluster.get(i), "hello", "from node " + i);
            }
            spread = phase("state", "entries held", entries, () -> heldEntries(cluster));
            agreed = heldEntries(cluster) == entries
                    && cluster.stream().map(EthStateView::fingerprint).distinct().count() == 1;
        }
        summary(cluster, discovery, discovered, spread, agreed, entries);
        return discovered && agreed ? 0 : 1;
    }

    /** Waits for progress to reach the target or the timeout, drawing a bar; returns how long it took. */
    private Duration phase(String name, String unit, long target, LongSupplier progress) {
        boolean tty = System.console() != null;
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long lastPrinted = -1;
        long lastLine = 0;
        while (true) {
            long done = progress.getAsLong();
            long now = System.nanoTime();
            boolean finished = done >= target || now > deadline;
            if (tty || finished || (done != lastPrinted && now - lastLine > 1_000_000_000L)) {
                out.print((tty ? "\r" : "") + bar(name, done, target, unit, Duration.ofNanos(now - start)) + (tty && !finished ? "" : "\n"));
                out.flush();
                lastPrinted = done;
                lastLine = now;
            }
            if (finished) {
                return Duration.ofNanos(now - start);
            }
            try {
                Thread.sleep(100); // a redraw interval, not a wait standing in for a condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Duration.ofNanos(System.nanoTime() - start);
            }
        }
    }

    private static String bar(String name, long done, long target, String unit, Duration elapsed) {
        int width = 30;
        int filled = (int) (width * Math.min(1.0, (double) done / target));
        return String.format(Locale.ROOT, "%-10s [%s%s] %d/%d %s  %.1f s", name, "#".repeat(filled), "-".repeat(width - filled),
                done, target, unit, elapsed.toMillis() / 1000.0);
    }

    /** discovery.max-peers as the nodes run it (validated by then: the nodes were created with it). */
    private static int maxPeers(Map<String, String> settings) {
        String value = settings.get("discovery.max-peers");
        return value == null || !Parts.has("gladius.p2p.discovery") ? Integer.MAX_VALUE : Integer.parseInt(value.trim());
    }

    /** Peers in each node's route table, counting at most {@link #peersEach} per node. */
    private long knownPeers(List<Network> cluster) {
        return cluster.stream()
                .mapToLong(n -> Math.min(peersEach, n.networkState().peers().stream().filter(PeerState::inRouteTable).count()))
                .sum();
    }

    private long measuredPeers(List<Network> cluster) {
        return cluster.stream()
                .mapToLong(n -> Math.min(peersEach, LatencyView.peers(n).stream().filter(p -> p.samples() >= 3).count()))
                .sum();
    }

    private static long heldEntries(List<Network> cluster) {
        return cluster.stream().mapToLong(EthStateView::entries).sum();
    }

    private void latencyTable(List<Network> cluster) {
        out.printf("%n%-22s %6s %10s %10s %10s %7s%n", "node", "peers", "median", "p99", "max", "loss");
        for (Network node : cluster) {
            Collection<PeerLatency> peers = LatencyView.peers(node);
            List<Duration> medians = peers.stream().filter(p -> p.samples() > 0).map(PeerLatency::median).sorted().toList();
            Duration p99 = peers.stream().map(PeerLatency::p99).max(Duration::compareTo).orElse(Duration.ZERO);
            Duration max = peers.stream().map(PeerLatency::max).max(Duration::compareTo).orElse(Duration.ZERO);
            double loss = peers.stream().mapToDouble(PeerLatency::lossRatio).average().orElse(0);
            out.printf(Locale.ROOT, "%-22s %6d %10s %10s %10s %6.1f%%%n", node.localAddress(), peers.size(),
                    medians.isEmpty() ? "-" : Report.millis(medians.get(medians.size() / 2)), Report.millis(p99), Report.millis(max),
                    loss * 100);
        }
    }

    private void summary(List<Network> cluster, Duration discovery, boolean discovered, Duration spread, boolean agreed, long entries) {
        long sent = 0;
        long received = 0;
        long dropped = 0;
        for (Network node : cluster) {
            NetworkState state = node.networkState();
            sent += state.messagesSent();
            received += state.messagesReceived();
            dropped += state.messagesDropped();
        }
        out.printf("%nsummary%n");
        row("nodes", Integer.toString(nodes));
        row("discovery", (discovered ? "converged in " : "NOT converged after ") + seconds(discovery)
                + " (" + knownPeers(cluster) + "/" + (long) nodes * peersEach + " known peers"
                + (peersEach < nodes - 1 ? ", " + peersEach + " per node: discovery.max-peers" : "") + ")");
        if (Parts.latency()) {
            List<Duration> medians = new ArrayList<>();
            List<Duration> p99s = new ArrayList<>();
            for (Network node : cluster) {
                for (PeerLatency peer : LatencyView.peers(node)) {
                    if (peer.samples() > 0) {
                        medians.add(peer.median());
                        p99s.add(peer.p99());
                    }
                }
            }
            medians.sort(null);
            p99s.sort(null);
            row("round trip", medians.isEmpty() ? "no samples" : "median " + Report.millis(medians.get(medians.size() / 2))
                    + ", p99 " + Report.millis(p99s.get((int) Math.ceil(p99s.size() * 0.99) - 1)) + " (over every peer's window)");
        }
        if (Parts.ethstate() && EthStateView.of(cluster.get(0)).isPresent()) {
            row("signed state", (agreed ? "agreed in " : "NOT agreed after ") + seconds(spread) + " (" + heldEntries(cluster)
                    + "/" + entries + " entries held, " + cluster.stream().map(EthStateView::fingerprint).distinct().count()
                    + " distinct state)");
        }
        row("messages", "sent " + sent + ", received " + received + ", dropped " + dropped);
        out.println(discovered && agreed ? "\nresult: everything converged" : "\nresult: NOT converged");
        out.flush();
    }

    private void row(String name, String value) {
        out.printf("  %-14s %s%n", name, value);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2f s", d.toMillis() / 1000.0);
    }
}
