package gladius.p2p.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Discovery's timing rules, exactly, in virtual time: a partition that outlasts
 * {@code discovery.unreachable-after} makes each side delete the other, seeds included; after the
 * heal the two must become one network again. Found by {@link NetworkFaultsTest} (seed
 * 1559391115074672423): before the fix each side went on asking only its own side.
 */
class DiscoveryPartitionTest {

    @RegisterExtension
    final Simulations simulations = new Simulations();

    @Test
    void aPartitionLongerThanUnreachableAfterMendsThroughTheSeeds() {
        Simulation sim = simulations.closedAfter(Simulation.builder().seed(11).geography(Geography.flat(20)).build());
        List<Network> nodes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            nodes.add(sim.node(i, Map.of("plugins", "discovery", "discovery.unreachable-after", "10s",
                    "discovery.seeds", i == 0 ? "" : Simulation.address(0).toString())));
        }
        assertTrue(sim.runUntil(() -> nodes.stream().allMatch(n -> connectedTable(n).size() == 7), Duration.ofSeconds(30)),
                "the eight never met");

        // Node 0, everyone's seed, on the side of the few.
        Set<NodeAddress> few = Set.of(Simulation.address(0), Simulation.address(1), Simulation.address(2));
        sim.partition(few);
        assertTrue(sim.runUntil(() -> nodes.stream().allMatch(n -> routeTable(n).stream()
                        .allMatch(peer -> few.contains(peer) == few.contains(n.localAddress()))), Duration.ofSeconds(30)),
                "the sides never gave each other up");
        sim.runFor(Duration.ofSeconds(20)); // the tombstones of the deleted expire meanwhile (unreachable-after)
        sim.heal();

        assertTrue(sim.runUntil(() -> nodes.stream().allMatch(n -> connectedTable(n).size() == 7), Duration.ofMinutes(1)),
                () -> "still apart a minute after the heal: " + nodes.stream()
                        .map(n -> n.localAddress().host() + " holds " + connectedTable(n).size()).collect(Collectors.joining(", ")));
    }

    /**
     * The seed given up to make room, not deleted: during a partition a newcomer asks a full
     * table, which makes room by dropping the node unreachable longest (here the seed, cut off).
     * Found by {@link NetworkFaultsTest} (seed 762704406613094847): such a node did not count as
     * lost, so it never asked the seeds again, while the seed, having deleted everyone as
     * unreachable, had no one to ask; the seed's side stayed apart for good.
     */
    @Test
    void aSeedDroppedToMakeRoomDuringAPartitionIsAskedAgainAfterTheHeal() {
        Simulation sim = simulations.closedAfter(Simulation.builder().seed(12).geography(Geography.flat(20)).build());
        Map<String, String> common = Map.of("plugins", "discovery", "discovery.max-peers", "4", "discovery.unreachable-after", "20s");
        List<Network> nodes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            nodes.add(sim.node(i, with(common, "discovery.seeds", i == 0 ? "" : Simulation.address(0).toString())));
        }
        assertTrue(sim.runUntil(() -> nodes.stream().allMatch(n -> connectedTable(n).size() == 4), Duration.ofSeconds(30)),
                "the five never met");

        sim.partition(Set.of(Simulation.address(0)));
        sim.runFor(Duration.ofSeconds(12)); // the sessions with the seed are dead (kcp.dead-peer-timeout 10 s)
        // A newcomer that knows node 1: every full table makes room for it by dropping the seed.
        nodes.add(sim.node(5, with(common, "discovery.seeds", Simulation.address(1).toString())));
        assertTrue(sim.runUntil(() -> nodes.subList(1, 6).stream().noneMatch(n -> routeTable(n).contains(Simulation.address(0))),
                Duration.ofSeconds(8)), "the seed was not given up before unreachable-after: the case is not made");
        sim.runFor(Duration.ofSeconds(20)); // the seed deletes everyone as unreachable meanwhile
        assertTrue(routeTable(nodes.get(0)).isEmpty(), "the seed kept a node: the case is not made");
        sim.heal();

        assertTrue(sim.runUntil(() -> !connectedTable(nodes.get(0)).isEmpty(), Duration.ofMinutes(1)),
                "the seed still alone a minute after the heal");
    }

    private static Map<String, String> with(Map<String, String> settings, String key, String value) {
        Map<String, String> more = new java.util.HashMap<>(settings);
        more.put(key, value);
        return more;
    }

    static Set<NodeAddress> routeTable(Network node) {
        return node.networkState().peers().stream().filter(PeerState::inRouteTable).map(PeerState::address).collect(Collectors.toSet());
    }

    static Set<NodeAddress> connectedTable(Network node) {
        return node.networkState().peers().stream().filter(p -> p.inRouteTable() && p.connected())
                .map(PeerState::address).collect(Collectors.toSet());
    }
}
