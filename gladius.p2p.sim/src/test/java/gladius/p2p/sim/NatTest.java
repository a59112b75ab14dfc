package gladius.p2p.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.ethstate.EthState;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The NAT scenarios of the image's NatIT (network namespaces, root only), in virtual time on any
 * machine: a public seed that relays, and two nodes each behind a router of its own, every
 * plugin on.
 */
class NatTest {

    @RegisterExtension
    final Simulations simulations = new Simulations();

    private static List<Network> three(Simulation sim, Simulation.Nat nat) {
        Map<String, String> seed = new HashMap<>(SimulationTest.withEverything(0, Map.of("kcp.relay", "true")));
        Network s = sim.node(0, seed);
        Network a = sim.node(1, SimulationTest.withEverything(1, Map.of()), nat);
        Network b = sim.node(2, SimulationTest.withEverything(2, Map.of()), nat);
        for (int i = 0; i < 3; i++) {
            List.of(s, a, b).get(i).plugin(EthState.class).orElseThrow().put("hello", new byte[] {(byte) i});
        }
        return List.of(s, a, b);
    }

    /** Each node holds sessions with both others and all three signed entries. */
    private static boolean converged(List<Network> nodes) {
        return nodes.stream().allMatch(n -> n.networkState().peers().stream().filter(PeerState::connected).count() >= 2
                && n.plugin(EthState.class).orElseThrow().size() == 3);
    }

    /** The peer at this public IP, as a node sees it (behind a NAT its port is the router's). */
    private static Optional<PeerState> peerAt(Network node, NodeAddress publicAddress) {
        return node.networkState().peers().stream()
                .filter(p -> p.connected() && p.address().host().equals(publicAddress.host())).findFirst();
    }

    @Test
    void twoNodesBehindSymmetricNatsTalkThroughTheSeedRelaying() {
        Simulation sim = simulations.closedAfter(Simulation.builder().seed(21).build());
        List<Network> nodes = three(sim, Simulation.Nat.SYMMETRIC);
        assertTrue(sim.runUntil(() -> converged(nodes), Duration.ofMinutes(2)), "not converged at " + sim.elapsed());
        // Each router shows a new port to each destination: a reaches b only through the seed.
        PeerState b = peerAt(nodes.get(1), Simulation.address(2)).orElseThrow();
        assertEquals(Optional.of(Simulation.address(0)), b.relay(), "a's peer b, through the seed: " + b);
    }

    @Test
    void aRelayedPairGoesDirectOnceItsRoutersCanReachEachOther() {
        Simulation sim = simulations.closedAfter(Simulation.builder().seed(22).build());
        sim.cut(Simulation.address(1), Simulation.address(2)); // a path between their providers that is down
        List<Network> nodes = three(sim, Simulation.Nat.ENDPOINT_INDEPENDENT);
        assertTrue(sim.runUntil(() -> converged(nodes), Duration.ofMinutes(2)), "not converged at " + sim.elapsed());
        assertEquals(Optional.of(Simulation.address(0)), peerAt(nodes.get(1), Simulation.address(2)).orElseThrow().relay(),
                "a reaches b through the seed while their routers cannot reach each other");

        sim.heal();
        // Both keep trying the direct path (docs/PROTOCOL.md, section 7); the session moves to it by itself.
        assertTrue(sim.runUntil(() -> peerAt(nodes.get(1), Simulation.address(2)).map(p -> p.relay().isEmpty()).orElse(false)
                        && peerAt(nodes.get(2), Simulation.address(1)).map(p -> p.relay().isEmpty()).orElse(false),
                Duration.ofMinutes(2)), "still relayed two minutes after the path came back");
    }
}
