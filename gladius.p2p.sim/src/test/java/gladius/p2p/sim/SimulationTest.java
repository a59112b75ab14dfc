package gladius.p2p.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.discovery.DiscoveryService;
import gladius.p2p.ethstate.EthState;
import gladius.p2p.latency.LatencyAudit;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whole networks, plugins included, in virtual time: what the simulator promises a test author.
 * Each runs seconds to minutes of virtual time in well under a second of real time.
 */
class SimulationTest {

    @RegisterExtension
    final Simulations simulations = new Simulations();

    /** Keeps what a network hears. */
    static final class Inbox implements Plugin {
        final List<Message> messages = new CopyOnWriteArrayList<>();

        @Override
        public void newMessage(Message message) {
            messages.add(message);
        }

        long count(String type) {
            return messages.stream().filter(m -> m.type().equals(type)).count();
        }
    }

    private static final Map<String, String> NO_PLUGINS = Map.of("plugins", "none");

    @Test
    void twoNodesTalkInVirtualTimeAtTheSpeedOfTheirLink() {
        Simulation sim = simulations.closedAfter(Simulation.builder().seed(1).geography(Geography.flat(40)).build());
        Network a = sim.node(0, NO_PLUGINS);
        Network b = sim.node(1, NO_PLUGINS);
        Inbox inbox = new Inbox();
        b.registerPlugin(inbox);
        a.add(b.localAddress());
        a.broadcast(a.newMessage("hello", "over the sea".getBytes(StandardCharsets.UTF_8)));

        assertTrue(sim.runUntil(() -> inbox.count("hello") == 1, Duration.ofSeconds(10)));
        // Plain by default: HELLO, WELCOME (one round trip), then the data: 120 ms.
        long took = sim.elapsed().toMillis();
        assertEquals(120, took, "a 40 ms link took " + took + " ms");
        assertEquals(Simulation.address(0), inbox.messages.get(0).sender());
        assertEquals("over the sea", StandardCharsets.UTF_8.decode(inbox.messages.get(0).body()).toString());
        assertEquals(sim.clock().instant(), a.clock().instant(), "a node's clock is the simulation's");
    }

    @Test
    void aSeedGivesTheSameRunTwiceWithEveryPluginOn() {
        String first = gossip(7, 24, Duration.ofSeconds(20));
        assertEquals(first, gossip(7, 24, Duration.ofSeconds(20)), "the same seed gave another run");
        assertNotEquals(first, gossip(8, 24, Duration.ofSeconds(20)), "another seed gave the same run");
    }

    /** N nodes with discovery, latency and ethstate seeded from node 0, on Earth at 1 % loss: the trace's hash. */
    private static String gossip(long seed, int nodes, Duration duration) {
        try (Simulation sim = Simulation.builder().seed(seed).loss(0.01).build()) {
            for (int i = 0; i < nodes; i++) {
                sim.node(i, withEverything(i, Map.of()));
            }
            sim.runFor(duration);
            assertTrue(sim.datagramsSent() > 1_000, "the nodes hardly talked: " + sim.datagramsSent());
            return sim.traceHash();
        }
    }

    /** Settings of node i with every plugin: seeded from node 0, with an Ethereum key of its own (not drawn at random). */
    static Map<String, String> withEverything(int i, Map<String, String> more) {
        Map<String, String> settings = new java.util.HashMap<>(more);
        if (i > 0) {
            settings.put("discovery.seeds", Simulation.address(0).toString());
        }
        settings.put("ethstate.private-key", HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(32).putInt(28, i + 1).array()));
        return settings;
    }

    @Test
    void twoHundredNodesDiscoverEachOtherAndAgreeOnSignedState() {
        Simulation sim = simulations.closedAfter(Simulation.builder().seed(3).loss(0.02).build());
        List<Network> nodes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            nodes.add(sim.node(i, withEverything(i, Map.of("discovery.max-peers", "16"))));
        }
        for (int i = 0; i < nodes.size(); i++) {
            nodes.get(i).plugin(EthState.class).orElseThrow().put("hello", new byte[] {(byte) i});
        }
        // Everyone keeps 16 peers at least (the ones it dials; others dial it), and holds all 200 entries.
        boolean converged = sim.runUntil(() -> nodes.stream().allMatch(n -> connectedPeers(n) >= 16
                && n.plugin(EthState.class).orElseThrow().size() == 200), Duration.ofMinutes(2));
        assertTrue(converged, "not converged at " + sim.elapsed());
        LatencyAudit audit = nodes.get(5).plugin(LatencyAudit.class).orElseThrow();
        assertTrue(sim.runUntil(() -> !audit.peers().isEmpty(), Duration.ofSeconds(30)), "the audit measured nobody");
        assertTrue(nodes.get(5).plugin(DiscoveryService.class).isPresent());
    }

    private static long connectedPeers(Network node) {
        return node.networkState().peers().stream().filter(PeerState::connected).count();
    }

    @Test
    void aPartitionThatHealsLeavesEveryoneTalkingAgain() {
        Simulation sim = simulations.closedAfter(Simulation.builder().seed(5).geography(Geography.flat(10)).build());
        List<Network> nodes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            nodes.add(sim.node(i, NO_PLUGINS));
        }
        for (Network a : nodes) {
            for (Network b : nodes) {
                if (a != b) {
                    a.add(b.localAddress());
                }
            }
        }
        assertTrue(sim.runUntil(() -> nodes.stream().allMatch(n -> connectedPeers(n) == 5), Duration.ofSeconds(5)));
        List<NodeAddress> half = nodes.subList(0, 3).stream().map(Network::localAddress).toList();
        sim.partition(half);
        assertTrue(sim.runUntil(() -> nodes.stream().allMatch(n -> connectedPeers(n) == 2), Duration.ofMinutes(1)),
                "the sessions across the partition never timed out");
        sim.heal();
        assertTrue(sim.runUntil(() -> nodes.stream().allMatch(n -> connectedPeers(n) == 5), Duration.ofMinutes(2)),
                "not everyone reconnected after the heal, at " + sim.elapsed());
    }

    @Test
    void aCrashedNodeIsMissedAndItsRestartIsWelcome() {
        Simulation sim = simulations.closedAfter(Simulation.builder().seed(9).geography(Geography.flat(10)).build());
        Network a = sim.node(0, NO_PLUGINS);
        Network b = sim.node(1, NO_PLUGINS);
        a.add(b.localAddress());
        b.add(a.localAddress());
        assertTrue(sim.runUntil(() -> connectedPeers(a) == 1, Duration.ofSeconds(5)));

        assertTrue(sim.crash(b));
        assertFalse(sim.crash(b), "a crashed node crashes once");
        assertTrue(sim.runUntil(() -> connectedPeers(a) == 0, Duration.ofMinutes(1)), "the crash went unnoticed");

        Network again = sim.node(1, NO_PLUGINS); // a new process on the same address, with a new key
        Inbox inbox = new Inbox();
        again.registerPlugin(inbox);
        a.broadcast(a.newMessage("back", new byte[0]));
        assertTrue(sim.runUntil(() -> inbox.count("back") == 1, Duration.ofMinutes(1)), "a's redial never reached the restart");
    }

    @Test
    void settingsAreCheckedAsOnARealNetwork() {
        Simulation sim = simulations.closedAfter(Simulation.builder().build());
        assertThrows(IllegalArgumentException.class, () -> sim.network(Map.of("kcp.no-such-thing", "1")));
        IllegalArgumentException plugins = assertThrows(IllegalArgumentException.class,
                () -> sim.network(Map.of("plugins", "discovery,nope")));
        assertTrue(plugins.getMessage().contains("nope"), plugins.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Simulation.builder().loss(1));
        assertThrows(IllegalArgumentException.class, () -> sim.runFor(Duration.ofSeconds(-1)));
    }
}
