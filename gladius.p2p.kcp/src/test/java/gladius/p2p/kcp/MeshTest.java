package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Message;
import gladius.p2p.NodeAddress;
import gladius.p2p.testing.Await;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Twenty nodes in a full mesh. */
class MeshTest {
    private static final int SIZE = 20;
    private static Nodes nodes;
    private static List<Nodes.Node> mesh;

    @BeforeAll
    static void fullMesh() {
        nodes = new Nodes();
        mesh = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            mesh.add(nodes.start());
        }
        for (Nodes.Node node : mesh) {
            for (Nodes.Node other : mesh) {
                if (node != other) {
                    node.network().add(other.address());
                }
            }
        }
        Await.until("every node connected to the 19 others", () -> mesh.stream().allMatch(n ->
                n.network().networkState().peers().stream().filter(p -> p.connected()).count() == SIZE - 1));
    }

    @AfterAll
    static void close() {
        nodes.close();
    }

    @Test
    void aBroadcastFromEachReachesEveryOther() {
        for (Nodes.Node node : mesh) {
            assertEquals(SIZE - 1, node.network().broadcast(node.network().newMessage("mesh/hello", new byte[] {1})));
        }
        for (Nodes.Node node : mesh) {
            Await.until("19 hellos at " + node.address(), () -> hellos(node).size() == SIZE - 1);
            Set<NodeAddress> expected = mesh.stream().map(Nodes.Node::address).filter(a -> !a.equals(node.address()))
                    .collect(Collectors.toSet());
            assertEquals(expected, new HashSet<>(hellos(node)));
        }
    }

    private static List<NodeAddress> hellos(Nodes.Node node) {
        return node.inbox().snapshot().stream().filter(m -> m.type().equals("mesh/hello"))
                .map(Message::sender).collect(Collectors.toList());
    }

    @Test
    void broadcastRandomlyReachesExactlyNDistinctPeers() {
        Nodes.Node sender = mesh.get(0);
        List<NodeAddress> chosen = sender.network().broadcastRandomly(sender.network().newMessage("mesh/pick", new byte[0]), 5);
        assertEquals(5, new HashSet<>(chosen).size());
        for (Nodes.Node node : mesh) {
            boolean picked = chosen.contains(node.address());
            if (picked) {
                Await.until("the pick at " + node.address(), () -> count(node, "mesh/pick") == 1);
            }
        }
        // Order per sender is kept, so once a later marker is in, an unpicked node has had its chance.
        sender.network().broadcast(sender.network().newMessage("mesh/marker", new byte[0]));
        for (Nodes.Node node : mesh.subList(1, SIZE)) {
            Await.until("the marker at " + node.address(), () -> count(node, "mesh/marker") == 1);
            assertEquals(chosen.contains(node.address()) ? 1 : 0, count(node, "mesh/pick"), "picks at " + node.address());
        }
    }

    private static long count(Nodes.Node node, String type) {
        return node.inbox().snapshot().stream().filter(m -> m.type().equals(type)).count();
    }

    @Test
    void broadcastRandomlyChoosesUniformly() {
        Nodes.Node sender = mesh.get(1);
        Message message = sender.network().newMessage("mesh/uniform", new byte[0]);
        Map<NodeAddress, Integer> hits = new HashMap<>();
        int draws = 3_800; // 200 expected per peer
        for (int i = 0; i < draws; i++) {
            List<NodeAddress> picked = sender.network().broadcastRandomly(message, 1);
            assertEquals(1, picked.size());
            hits.merge(picked.get(0), 1, Integer::sum);
        }
        assertEquals(SIZE - 1, hits.size(), "every peer gets picked");
        double expected = draws / (double) (SIZE - 1);
        double chiSquare = hits.values().stream().mapToDouble(h -> (h - expected) * (h - expected) / expected).sum();
        // 18 degrees of freedom: P(chi2 > 42.31) = 0.001, so a uniform choice fails this once in a thousand runs.
        assertTrue(chiSquare < 42.31, "chi-square " + chiSquare + " for " + hits.values());
    }

    @Test
    void broadcastRandomlyReturnsFewerWhenFewerExistAndRejectsNegative() {
        try (Nodes few = new Nodes()) {
            Nodes.Node lonely = few.start();
            Nodes.Node other = few.start();
            lonely.network().add(other.address());
            Message message = lonely.network().newMessage("mesh/few", new byte[0]);
            assertEquals(List.of(other.address()), lonely.network().broadcastRandomly(message, 10));
            assertEquals(List.of(), lonely.network().broadcastRandomly(message, 0));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> lonely.network().broadcastRandomly(message, -1));
            assertTrue(e.getMessage().contains("n"), e.getMessage());
        }
    }
}
