package gladius.p2p.benchmarks;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How long discovery takes to fill every route table, for N nodes in one process seeded from the
 * first (discovery.interval 250 ms; max-peers N, a full mesh, unless {@code -Dmax.peers=K}). Not
 * JMH: one convergence is one measurement.
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar gladius.p2p.benchmarks.DiscoveryConvergence [out.jsonl] [N...]
 * </pre>
 */
public final class DiscoveryConvergence {

    private DiscoveryConvergence() {}

    /**
     * @param args the output file, then node counts (default 25 50 100 200)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "discovery.jsonl");
        List<Integer> counts = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            counts.add(Integer.parseInt(args[i]));
        }
        if (counts.isEmpty()) {
            counts = List.of(25, 50, 100, 200);
        }
        Integer bound = Integer.getInteger("max.peers");
        for (int n : counts) {
            int maxPeers = bound == null ? n : bound;
            Map<String, String> settings = new HashMap<>(Map.of("plugins", "discovery", "discovery.interval", "250ms",
                    "discovery.max-peers", Integer.toString(maxPeers), "kcp.max-sessions-per-ip", Integer.toString(4 * n)));
            List<Network> nodes = new ArrayList<>();
            try {
                Network first = Network.create(settings);
                first.listen(new NodeAddress("127.0.0.1", 0));
                nodes.add(first);
                settings.put("discovery.seeds", first.localAddress().toString());
                long start = System.nanoTime();
                for (int i = 1; i < n; i++) {
                    Network node = Network.create(settings);
                    node.listen(new NodeAddress("127.0.0.1", 0));
                    nodes.add(node);
                }
                // With a bound, tables fill to it, and a few more sessions may be open inbound: count table entries only.
                long target = (long) n * Math.min(n - 1, maxPeers);
                long deadline = start + 120_000_000_000L;
                long known;
                while ((known = known(nodes)) < target && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                String line = String.format(Locale.ROOT, "{\"nodes\":%d,\"max_peers\":%d,\"converged\":%s,\"seconds\":%.2f,"
                        + "\"known\":%d,\"target\":%d}", n, maxPeers, known == target, seconds, known, target);
                System.out.println(line);
                Files.writeString(out, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } finally {
                nodes.forEach(Network::close);
            }
        }
        System.exit(0);
    }

    private static long known(List<Network> nodes) {
        long sum = 0;
        for (Network node : nodes) {
            sum += node.networkState().peers().stream().filter(PeerState::inRouteTable).count();
        }
        return sum;
    }
}
