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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    Lifecycle lifecycle;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting for every node (repeatable).")
    List<String> pairs = new ArrayList<>();

    /** The most nodes one process runs (README, docs/BENCHMARKS.md "Scale"): 200 with discovery alone converged. */
    static final int MAX_NODES = 200;
    /** The most fully meshed nodes with every plugin on that converged in one process (docs/BENCHMARKS.md). */
    static final int MAX_FULL_MESH = 64;
    /** A phase whose count has not moved for this long cannot converge: it ends, and says so. */
    private static final Duration STALLED = Duration.ofSeconds(10);

    private PrintWriter out;
    /** Peers each node should come to know: all others, or discovery.max-peers if fewer. */
    private int peersEach;

    /** How a phase ended: how long it took, the count it reached, and whether that was the target. */
    private record Phase(Duration took, long reached, long target, String why) {
        boolean converged() {
            return reached >= target;
        }
    }

    @Override
    public Integer call() {
        if (nodes < 2 || nodes > MAX_NODES) {
            throw new UserError("--nodes must be from 2 to " + MAX_NODES + " (what one process carries): " + nodes);
        }
        out = spec.commandLine().getOut();
        Map<String, String> settings = new HashMap<>(Map.of("discovery.interval", "250ms",
                "discovery.max-peers", Integer.toString(Math.max(64, nodes)), "latency.interval", "250ms",
                "ethstate.interval", "500ms", "kcp.max-sessions-per-ip", Integer.toString(Math.max(256, 2 * nodes))));
        settings.putAll(NodeSettings.build(null, pairs));
        NodeSettings.checkNamespaces(settings);
        int meshPeers = Math.min(nodes - 1, maxPeers(settings));
        if (nodes > MAX_FULL_MESH && meshPeers == nodes - 1 && Parts.latency() && Parts.ethstate()) {
            throw new UserError("--nodes " + nodes + " fully meshed with every plugin is " + (long) nodes * (nodes - 1)
                    + " sessions, more than one process carries (" + MAX_FULL_MESH + " nodes measured); "
                    + "add --set discovery.max-peers=16 (100 nodes measured)");
        }

        List<Network> cluster = new CopyOnWriteArrayList<>(); // the servers' threads read it while it grows
        lifecycle.manage(() -> List.copyOf(cluster));
        try {
            lifecycle.serve(out, "");
            if (lifecycle.servesPage()) {
                out.println("(open the page now to watch the network form)");
            }
            int result = run(cluster, settings);
            if (lifecycle.servesPage()) {
                out.println("the nodes stay up for the page until you stop the demo (Ctrl-C)");
                out.flush();
                lifecycle.awaitStop();
            }
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            lifecycle.close();
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
        Phase discovery = phase("discovery", "known peers", target, () -> knownPeers(cluster));

        Map<NodeAddress, Collection<PeerLatency>> latency = null; // the table and the summary read this one snapshot
        if (Parts.latency()) {
            out.println();
            // Only known peers are probed: after a discovery that fell short, what it reached is the most there is.
            phase("latency", "peers measured " + SAMPLES_FOR_TABLE + " times", Math.min(target, knownPeers(cluster)),
                    () -> measuredPeers(cluster));
            latency = latencySnapshot(cluster);
            latencyTable(latency);
        }

        Phase state = null;
        boolean agreed = true;
        if (Parts.ethstate() && EthStateView.of(first).isPresent()) {
            out.println();
            for (int i = 0; i < cluster.size(); i++) {
                EthStateView.put(cluster.get(i), "hello", "from node " + i);
            }
            state = phase("state", "entries held", (long) nodes * nodes, () -> heldEntries(cluster));
            agreed = state.converged() && cluster.stream().map(EthStateView::fingerprint).distinct().count() == 1;
        }
        summary(cluster, discovery, latency, state, agreed);
        return discovery.converged() && agreed ? 0 : 1;
    }

    /**
     * Waits for progress to reach the target, drawing a bar; ends early, saying why, when the
     * count has stood still for {@link #STALLED} or the timeout passed. The last line drawn shows
     * the count the phase reports.
     */
    private Phase phase(String name, String unit, long target, LongSupplier progress) {
        boolean tty = System.console() != null;
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long lastPrinted = -1;
        long lastLine = 0;
        long best = -1;
        long movedAt = start;
        while (true) {
            long done = progress.getAsLong();
            long now = System.nanoTime();
            if (done > best) {
                best = done;
                movedAt = now;
            }
            String why = done >= target ? null
                    : now > deadline ? "the timeout (--timeout " + timeout.toSeconds() + "s) passed"
                    : now - movedAt > STALLED.toNanos() ? "no progress for " + STALLED.toSeconds() + " s" : "";
            boolean finished = why == null || !why.isEmpty();
            if (tty || finished || (done != lastPrinted && now - lastLine > 1_000_000_000L)) {
                out.print((tty ? "\r" : "") + bar(name, done, target, unit, Duration.ofNanos(now - start)) + (tty && !finished ? "" : "\n"));
                lastPrinted = done;
                lastLine = now;
            }
            if (finished) {
                if (why != null) {
                    out.println(name + ": stopped at " + done + "/" + target + " " + unit + ": " + why);
                }
                out.flush();
                return new Phase(Duration.ofNanos(now - start), done, target, why);
            }
            out.flush();
            try {
                Thread.sleep(100); // a redraw interval, not a wait standing in for a condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Phase(Duration.ofNanos(System.nanoTime() - start), done, target, "interrupted");
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

    /** Probes per peer before the table: with fewer than 10, a window's p90 is its max. */
    private static final int SAMPLES_FOR_TABLE = 10;

    private long measuredPeers(List<Network> cluster) {
        return cluster.stream()
                .mapToLong(n -> Math.min(peersEach, LatencyView.peers(n).stream().filter(p -> p.samples() >= SAMPLES_FOR_TABLE).count()))
                .sum();
    }

    private static long heldEntries(List<Network> cluster) {
        return cluster.stream().mapToLong(EthStateView::entries).sum();
    }

    /** Each node's latency figures at one moment, in node order. */
    private static Map<NodeAddress, Collection<PeerLatency>> latencySnapshot(List<Network> cluster) {
        Map<NodeAddress, Collection<PeerLatency>> snapshot = new java.util.LinkedHashMap<>();
        for (Network node : cluster) {
            snapshot.put(node.localAddress(), List.copyOf(LatencyView.peers(node)));
        }
        return snapshot;
    }

    /**
     * Per node: its peers' median of medians, and the worst peer's p90 and max. (A window of under
     * 100 probes has a p99 equal to its max, so the table shows p90, which means something here.)
     */
    private void latencyTable(Map<NodeAddress, Collection<PeerLatency>> snapshot) {
        out.printf("%n%-22s %6s %10s %10s %10s %7s%n", "node", "peers", "median", "p90", "max", "loss");
        snapshot.forEach((node, peers) -> {
            List<Duration> medians = peers.stream().filter(p -> p.samples() > 0).map(PeerLatency::median).sorted().toList();
            Duration p90 = peers.stream().filter(p -> p.samples() > 0).map(PeerLatency::p90).max(Duration::compareTo).orElse(Duration.ZERO);
            Duration max = peers.stream().filter(p -> p.samples() > 0).map(PeerLatency::max).max(Duration::compareTo).orElse(Duration.ZERO);
            double loss = peers.stream().mapToDouble(PeerLatency::lossRatio).average().orElse(0);
            out.printf(Locale.ROOT, "%-22s %6d %10s %10s %10s %6.1f%%%n", node, peers.size(),
                    medians.isEmpty() ? "-" : Report.millis(medians.get(medians.size() / 2)), Report.millis(p90), Report.millis(max),
                    loss * 100);
        });
    }

    private void summary(List<Network> cluster, Phase discovery, Map<NodeAddress, Collection<PeerLatency>> latency, Phase state,
                         boolean agreed) {
        // Every received counter first, then every sent one: a message counted as received by then was
        // sent before, so the sums cannot show more received than sent while probes are still flying.
        long received = 0;
        for (Network node : cluster) {
            received += node.networkState().messagesReceived();
        }
        long sent = 0;
        long dropped = 0;
        for (Network node : cluster) {
            NetworkState counters = node.networkState();
            sent += counters.messagesSent();
            dropped += counters.messagesDropped();
        }
        out.printf("%nsummary%n");
        row("nodes", Integer.toString(nodes));
        row("discovery", (discovery.converged() ? "converged in " : "NOT converged after ") + seconds(discovery.took())
                + " (" + discovery.reached() + "/" + discovery.target() + " known peers"
                + (peersEach < nodes - 1 ? ", " + peersEach + " per node: discovery.max-peers" : "")
                + (discovery.converged() ? "" : "; " + discovery.why()) + ")");
        if (latency != null) {
            List<Duration> medians = new ArrayList<>();
            Duration p90 = Duration.ZERO;
            Duration max = Duration.ZERO;
            for (Collection<PeerLatency> peers : latency.values()) {
                for (PeerLatency peer : peers) {
                    if (peer.samples() > 0) {
                        medians.add(peer.median());
                        p90 = p90.compareTo(peer.p90()) >= 0 ? p90 : peer.p90();
                        max = max.compareTo(peer.max()) >= 0 ? max : peer.max();
                    }
                }
            }
            medians.sort(null);
            row("round trip", medians.isEmpty() ? "no samples" : "median " + Report.millis(medians.get(medians.size() / 2))
                    + " (median of every peer's median), worst p90 " + Report.millis(p90) + ", worst max " + Report.millis(max)
                    + " (the table's figures)");
        }
        if (state != null) {
            row("signed state", (agreed ? "agreed in " : "NOT agreed after ") + seconds(state.took()) + " (" + state.reached()
                    + "/" + state.target() + " entries held, " + cluster.stream().map(EthStateView::fingerprint).distinct().count()
                    + " distinct state" + (state.converged() ? "" : "; " + state.why()) + ")");
        }
        row("messages", "sent " + sent + ", received " + received + ", dropped " + dropped
                + " (received counted first; the rest were in flight)");
        out.println(discovery.converged() && agreed ? "\nresult: everything converged" : "\nresult: NOT converged");
        out.flush();
    }

    private void row(String name, String value) {
        out.printf("  %-14s %s%n", name, value);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2f s", d.toMillis() / 1000.0);
    }
}
