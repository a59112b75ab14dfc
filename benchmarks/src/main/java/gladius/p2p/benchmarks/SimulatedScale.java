package gladius.p2p.benchmarks;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.ethstate.EthState;
import gladius.p2p.latency.LatencyAudit;
import gladius.p2p.sim.Simulation;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * N nodes with every plugin (discovery, latency, ethstate) on the simulator's Earth, seeded from
 * node 0, each of the first {@code -Dwriters=K} (all by default) putting one signed entry at the
 * start: how discovery's view and signed state converge, and what the simulation itself costs.
 * Not JMH: a run is one measurement. Prints one
 * CSV row per sample (every {@code -Dsample=5} virtual seconds) to stdout and to the file:
 *
 * <pre>
 *   virtual_s, real_s, heap_mib, datagrams, lost,
 *   table_min, table_median, connected_min, connected_median,   (route table and connected sessions per node)
 *   indegree_min, indegree_median, indegree_max, unknown,        (how many route tables hold each node; held by none)
 *   components,                                                  (of the undirected route-table graph)
 *   entries_min, entries_mean, complete                          (ethstate entries per node; nodes holding every writer's)
 *   probes_median                                                (peers each latency audit measures)
 * </pre>
 *
 * <pre>
 *   java -Xmx8g -cp benchmarks/target/benchmarks.jar gladius.p2p.benchmarks.SimulatedScale OUT.csv N LOSS MINUTES [SEED]
 * </pre>
 * Settings go on as {@code -Dset.key=value} ({@code -Dset.discovery.max-peers=16}).
 */
public final class SimulatedScale {

    private SimulatedScale() {}

    /**
     * @param args output file, node count, loss share, virtual minutes, seed (default 1)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        double loss = Double.parseDouble(args[2]);
        double minutes = Double.parseDouble(args[3]);
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
        long sampleMillis = Long.getLong("sample", 5) * 1_000;
        int writers = Integer.getInteger("writers", n);
        Map<String, String> common = new HashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("set."))
                .forEach(k -> common.put(k.substring(4), System.getProperty(k)));
        // One IP per node, as at the edge: the per-IP session limit is no concern here.
        common.putIfAbsent("ethstate.max-entries", Integer.toString(Math.max(10_000, n)));

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        Simulation sim = Simulation.builder().seed(seed).loss(loss).build();
        List<Network> nodes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, String> settings = new HashMap<>(common);
            if (i > 0) {
                settings.put("discovery.seeds", Simulation.address(0).toString());
            }
            settings.put("ethstate.private-key", HexFormat.of().formatHex(ByteBuffer.allocate(32).putInt(28, i + 1).array()));
            nodes.add(sim.node(i, settings));
        }
        for (int i = 0; i < writers; i++) {
            nodes.get(i).plugin(EthState.class).orElseThrow().put("node", Integer.toString(i).getBytes());
        }
        String header = "virtual_s,real_s,heap_mib,datagrams,lost,table_min,table_median,connected_min,connected_median,"
                + "indegree_min,indegree_median,indegree_max,unknown,components,entries_min,entries_mean,complete,probes_median";
        try (PrintStream file = new PrintStream(Files.newOutputStream(out))) {
            file.println("# " + n + " nodes, loss " + loss + ", seed " + seed + ", " + writers + " writers, settings " + common);
            file.println(header);
            System.out.println(header);
            long end = (long) (minutes * 60_000);
            Double allEntriesAt = null;
            Double fullViewAt = null;
            for (long t = 0; t <= end; t += sampleMillis) {
                sim.runFor(Duration.ofMillis(t - sim.elapsed().toMillis()));
                Sample s = sample(nodes, n, writers);
                Runtime rt = Runtime.getRuntime();
                String row = String.format(Locale.ROOT, "%.0f,%.1f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%.1f,%d,%d",
                        t / 1000.0, (System.nanoTime() - start) / 1e9, (rt.totalMemory() - rt.freeMemory()) >> 20,
                        sim.datagramsSent(), sim.datagramsLost(), s.tableMin, s.tableMedian, s.connectedMin, s.connectedMedian,
                        s.inMin, s.inMedian, s.inMax, s.unknown, s.components, s.entriesMin, s.entriesMean, s.complete,
                        s.probesMedian);
                System.out.println(row);
                file.println(row);
                file.flush();
                if (allEntriesAt == null && s.complete == n && s.entriesMin >= writers) {
                    allEntriesAt = t / 1000.0;
                }
                if (fullViewAt == null && s.unknown == 0 && s.components == 1) {
                    fullViewAt = t / 1000.0;
                }
            }
            double real = (System.nanoTime() - start) / 1e9;
            double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
            System.gc();
            Runtime rt = Runtime.getRuntime();
            String summary = String.format(Locale.ROOT,
                    "# summary: %d nodes, loss %.2f: every node held every entry at %s s; every node known and one component at %s s;"
                            + " %.0f virtual s in %.1f real s (%.2fx real time, %.1f CPU s on the simulation thread);"
                            + " heap after GC %d MiB (%.1f KiB per node); %d datagrams (%.0f per node per virtual s)",
                    n, loss, allEntriesAt, fullViewAt, end / 1000.0, real, end / 1000.0 / real, cpu,
                    (rt.totalMemory() - rt.freeMemory()) >> 20, (rt.totalMemory() - rt.freeMemory()) / 1024.0 / n,
                    sim.datagramsSent(), sim.datagramsSent() / (end / 1000.0) / n);
            System.out.println(summary);
            file.println(summary);
            String histogram = "# in-degree histogram (route tables holding a node: nodes): " + inDegrees(nodes, n);
            System.out.println(histogram);
            file.println(histogram);
        }
        System.exit(0);
    }

    private record Sample(int tableMin, int tableMedian, int connectedMin, int connectedMedian, int inMin, int inMedian,
                          int inMax, int unknown, int components, int entriesMin, double entriesMean, int complete,
                          int probesMedian) {}

    private static Sample sample(List<Network> nodes, int n, int writers) {
        Map<NodeAddress, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            index.put(Simulation.address(i), i);
        }
        int[] table = new int[n];
        int[] connected = new int[n];
        int[] in = new int[n];
        int[] entries = new int[n];
        int[] probes = new int[n];
        List<List<Integer>> edges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            edges.add(new ArrayList<>());
        }
        long entriesSum = 0;
        int complete = 0;
        for (int i = 0; i < n; i++) {
            Network node = nodes.get(i);
            for (PeerState peer : node.networkState().peers()) {
                if (peer.connected()) {
                    connected[i]++;
                }
                if (!peer.inRouteTable()) {
                    continue;
                }
                table[i]++;
                Integer j = index.get(peer.address());
                if (j != null) {
                    in[j]++;
                    edges.get(i).add(j);
                    edges.get(j).add(i);
                }
            }
            entries[i] = node.plugin(EthState.class).map(EthState::size).orElse(0);
            entriesSum += entries[i];
            if (entries[i] >= writers) {
                complete++;
            }
            probes[i] = node.plugin(LatencyAudit.class).map(a -> a.peers().size()).orElse(0);
        }
        int unknown = 0;
        for (int i = 0; i < n; i++) {
            if (in[i] == 0) {
                unknown++;
            }
        }
        return new Sample(min(table), median(table), min(connected), median(connected), min(in), median(in), max(in),
                unknown, components(edges), min(entries), (double) entriesSum / n, complete, median(probes));
    }

    /** How many nodes are held by k route tables, for each k seen. */
    private static Map<Integer, Integer> inDegrees(List<Network> nodes, int n) {
        Map<NodeAddress, Integer> in = new HashMap<>();
        for (Network node : nodes) {
            for (PeerState peer : node.networkState().peers()) {
                if (peer.inRouteTable()) {
                    in.merge(peer.address(), 1, Integer::sum);
                }
            }
        }
        Map<Integer, Integer> histogram = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            histogram.merge(in.getOrDefault(Simulation.address(i), 0), 1, Integer::sum);
        }
        return histogram;
    }

    private static int components(List<List<Integer>> edges) {
        boolean[] seen = new boolean[edges.size()];
        int components = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int start = 0; start < edges.size(); start++) {
            if (seen[start]) {
                continue;
            }
            components++;
            seen[start] = true;
            queue.add(start);
            while (!queue.isEmpty()) {
                for (int next : edges.get(queue.poll())) {
                    if (!seen[next]) {
                        seen[next] = true;
                        queue.add(next);
                    }
                }
            }
        }
        return components;
    }

    private static int min(int[] values) {
        return Arrays.stream(values).min().orElse(0);
    }

    private static int max(int[] values) {
        return Arrays.stream(values).max().orElse(0);
    }

    private static int median(int[] values) {
        int[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
    }
}
