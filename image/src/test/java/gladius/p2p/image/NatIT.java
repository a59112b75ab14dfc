package gladius.p2p.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Real {@code bin/gladius} processes on separate hosts ({@link NetBed}: network namespaces, real
 * routing, nftables NAT), as nodes on home connections are.
 */
class NatIT {

    private static final Pattern STATUS = Pattern.compile("gladius: peers (\\d+)/(\\d+) .* state (\\d+) \\[([0-9a-f]{8})]");

    @Test
    void twoHostsBehindTwoHomeRoutersOpenADirectSessionAndConverge() throws Exception {
        Optional<String> unavailable = NetBed.unavailable();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> "skipped: " + unavailable.orElseThrow());
        NetBed bed = new NetBed();
        try {
            NetBed.Host seed = bed.publicHost("seed");
            NetBed.Router homeA = bed.router("nata", NetBed.Nat.ENDPOINT_INDEPENDENT);
            NetBed.Host a = bed.behind(homeA, "a");
            NetBed.Router homeB = bed.router("natb", NetBed.Nat.ENDPOINT_INDEPENDENT);
            NetBed.Host b = bed.behind(homeB, "b");
            String seedAddress = seed.address() + ":7000";
            try (Gladius s = Gladius.startIn(seed.namespace(), "run", "--listen", seedAddress, "--put", "name=seed",
                         "--status-every", "300ms");
                 Gladius na = Gladius.startIn(a.namespace(), "run", "--listen", "0.0.0.0:7000", "--seed", seedAddress,
                         "--put", "name=a", "--status-every", "300ms");
                 Gladius nb = Gladius.startIn(b.namespace(), "run", "--listen", "0.0.0.0:7000", "--seed", seedAddress,
                         "--put", "name=b", "--status-every", "300ms")) {
                List<Gladius> nodes = List.of(s, na, nb);
                Await.until("three nodes, each with both others up and the same three signed entries", Await.TIMEOUT,
                        () -> converged(nodes), nodes::toString);

                // a, behind its router, holds a session with b at b's router's public address: direct, through both NATs.
                String report = status(a.namespace(), a.address() + ":7000");
                // And a knows the address it is seen at: its router's, not its own private one.
                assertTrue(report.lines().findFirst().orElseThrow().contains("  seen as " + homeA.wan + ":"),
                        "a's observed address is its router's public one:\n" + report);
                assertTrue(report.lines().anyMatch(l -> l.trim().startsWith(homeB.wan + ":") && l.contains(" table ") && l.contains(" up ")),
                        "a's peer b, at b's NAT's public address, up:\n" + report);
                assertTrue(report.lines().anyMatch(l -> l.trim().startsWith(seedAddress + " ") && l.contains(" up ")), report);
                // The seed sees the hosts at their routers' public addresses only.
                String seedReport = status(seed.namespace(), seedAddress);
                for (String wan : List.of(homeA.wan, homeB.wan)) {
                    assertTrue(seedReport.lines().anyMatch(l -> l.trim().startsWith(wan + ":") && l.contains(" up ")), seedReport);
                }
                assertTrue(seedReport.lines().noneMatch(l -> l.contains("198.19.")), "no private address ever reaches the seed: " + seedReport);
            }
            assertEquals(6, bed.namespaces().size(), "internet, seed, two routers, two hosts: " + bed.namespaces());
        } finally {
            bed.close();
        }
        assertEquals(List.of(), bed.leftovers(), "every namespace and process removed");
    }

    /** Every node's last status line: both peers up, and three entries with one fingerprint everywhere. */
    private static boolean converged(List<Gladius> nodes) {
        String fingerprint = null;
        for (Gladius node : nodes) {
            Optional<String> line = node.lastLine(l -> STATUS.matcher(l).find());
            if (line.isEmpty()) {
                return false;
            }
            Matcher m = STATUS.matcher(line.get());
            if (!m.find() || !m.group(1).equals("2") || !m.group(2).equals("2") || !m.group(3).equals("3")) {
                return false;
            }
            if (fingerprint != null && !fingerprint.equals(m.group(4))) {
                return false;
            }
            fingerprint = m.group(4);
        }
        return true;
    }

    /** {@code gladius status} run on a host, asking a node by an address that host can reach. */
    private static String status(String namespace, String node) throws Exception {
        try (Gladius status = Gladius.startIn(namespace, "status", node)) {
            assertEquals(0, status.exit(Duration.ofSeconds(30)), status.toString());
            return String.join("\n", status.out());
        }
    }
}
