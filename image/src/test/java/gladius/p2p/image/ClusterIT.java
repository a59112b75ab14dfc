package gladius.p2p.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Three {@code bin/gladius run} processes on loopback, seeded from one. */
class ClusterIT {

    private static final Pattern STATUS = Pattern.compile("gladius: peers (\\d+)/(\\d+) .* state (\\d+) \\[([0-9a-f]{8})]");

    @Test
    void threeSecureNodesDiscoverEachOtherAndAgreeOnSignedState() throws Exception {
        // Secure sessions, so the image is shown to carry what they need (X25519 is in jdk.crypto.ec).
        try (Gladius a = Gladius.start("run", "--listen", "127.0.0.1:0", "--set", "kcp.secure=true", "--put", "name=a",
                "--status-every", "300ms")) {
            String seed = a.awaitLine("a's address", l -> l.startsWith("gladius: listening on ")).substring(22);
            a.awaitLine("a's ethereum address", l -> l.matches("gladius: ethereum address 0x[0-9a-fA-F]{40}"));
            try (Gladius b = Gladius.start("run", "--listen", "127.0.0.1:0", "--seed", seed, "--set", "kcp.secure=true",
                    "--put", "name=b", "--status-every", "300ms");
                 Gladius c = Gladius.start("run", "--listen", "127.0.0.1:0", "--seed", seed, "--set", "kcp.secure=true",
                    "--put", "name=c", "--status-every", "300ms")) {
                List<Gladius> nodes = List.of(a, b, c);
                Await.until("three nodes with two peers each and the same three entries", Await.TIMEOUT,
                        () -> converged(nodes), () -> nodes.toString());

                String bAddress = b.awaitLine("b's address", l -> l.startsWith("gladius: listening on ")).substring(22);
                try (Gladius status = Gladius.start("status", seed)) {
                    assertEquals(0, status.exit(Duration.ofSeconds(30)), status.toString());
                    assertTrue(status.out().get(0).startsWith("node " + seed), status.toString());
                    assertTrue(status.out().stream().anyMatch(l -> l.contains(bAddress) && l.contains("up")), status.toString());
                }
                for (Gladius node : nodes) {
                    assertEquals(143, node.terminate(), "the JVM's exit code after SIGTERM (128 + 15): " + node);
                    assertTrue(node.out().stream().anyMatch(l -> l.startsWith("gladius: stopping")), node.toString());
                }
            }
        }
    }

    private static boolean converged(List<Gladius> nodes) {
        String fingerprint = null;
        for (Gladius node : nodes) {
            Optional<Matcher> status = node.lastLine(l -> STATUS.matcher(l).find()).map(STATUS::matcher);
            if (status.isEmpty() || !status.get().find()) {
                return false;
            }
            Matcher m = status.get();
            if (!m.group(1).equals("2") || !m.group(2).equals("2") || !m.group(3).equals("3")) {
                return false;
            }
            if (fingerprint != null && !fingerprint.equals(m.group(4))) {
                return false;
            }
            fingerprint = m.group(4);
        }
        return true;
    }

    @Test
    void theDemoConvergesAndSaysSo() throws Exception {
        try (Gladius demo = Gladius.start("demo", "--nodes", "16")) {
            assertEquals(0, demo.exit(Duration.ofMinutes(3)), demo.toString());
            assertTrue(demo.out().contains("result: everything converged"), demo.toString());
            assertTrue(demo.out().stream().anyMatch(l -> l.contains("discovery") && l.contains("converged in")), demo.toString());
            assertTrue(demo.out().stream().anyMatch(l -> l.contains("256/256 entries held")), demo.toString());
            assertTrue(demo.err().isEmpty(), "nothing on stderr: " + demo);
        }
    }

    /**
     * The speed issue's scale targets, one process each: 64 nodes that all know each other (4,032
     * sessions' worth of peers; before the sender's overload answer this never converged: resends
     * collapsed the loops), and 100 nodes that each keep 16 peers.
     */
    @Test
    void sixtyFourNodesAndAHundredWithSixteenPeersEachConvergeInOneProcess() throws Exception {
        try (Gladius demo = Gladius.start("demo", "--nodes", "64")) {
            assertEquals(0, demo.exit(Duration.ofMinutes(3)), demo.toString());
            assertTrue(demo.out().stream().anyMatch(l -> l.contains("(4032/4032 known peers)")), demo.toString());
            assertTrue(demo.out().stream().anyMatch(l -> l.contains("4096/4096 entries held, 1 distinct state")), demo.toString());
        }
        try (Gladius demo = Gladius.start("demo", "--nodes", "100", "--set", "discovery.max-peers=16")) {
            assertEquals(0, demo.exit(Duration.ofMinutes(3)), demo.toString());
            assertTrue(demo.out().stream().anyMatch(l -> l.contains("(1600/1600 known peers, 16 per node")), demo.toString());
            assertTrue(demo.out().stream().anyMatch(l -> l.contains("10000/10000 entries held, 1 distinct state")), demo.toString());
        }
    }
}
