package acme.heartbeat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Real nodes on 127.0.0.1, each with the plugin found on the module path as a user's node finds it. */
class HeartbeatTest {

    private static Heartbeats heartbeats(Network network) {
        return network.plugin(Heartbeats.class).orElseThrow();
    }

    @Test
    void everyNodeHearsEveryPeer() {
        try (Cluster cluster = new Cluster(Map.of("plugins", "heartbeat", "heartbeat.interval", "50ms"))) {
            List<Network> nodes = List.of(cluster.start(Map.of()), cluster.start(Map.of()), cluster.start(Map.of()));
            for (Network a : nodes) {
                for (Network b : nodes) {
                    if (a != b) {
                        a.add(b.localAddress());
                    }
                }
            }
            Await.until("three beats from each peer at every node", () -> nodes.stream().allMatch(n ->
                    heartbeats(n).heard().size() == 2 && heartbeats(n).heard().values().stream().allMatch(c -> c >= 3)));
        }
    }

    @Test
    void aRemovedPluginStopsBeating() {
        try (Cluster cluster = new Cluster(Map.of("plugins", "heartbeat", "heartbeat.interval", "20ms"))) {
            Network a = cluster.start(Map.of());
            Network b = cluster.start(Map.of());
            a.add(b.localAddress());
            Await.until("b hears a", () -> heartbeats(b).heard().getOrDefault(a.localAddress(), 0L) >= 2);
            Heartbeats plugin = heartbeats(a);
            assertTrue(a.removePlugin((gladius.p2p.Plugin) plugin));
            long sentAtRemoval = plugin.sent();
            // Its beats were scheduled through the network: none runs after removePlugin returned.
            long heardAfter = Await.quiet("beats after the removal", Duration.ofMillis(300),
                    () -> heartbeats(b).heard().getOrDefault(a.localAddress(), 0L));
            assertEquals(sentAtRemoval, plugin.sent(), "no beat after removal");
            assertTrue(heardAfter <= sentAtRemoval, heardAfter + " heard, " + sentAtRemoval + " sent");
        }
    }

    @Test
    void aBadSettingIsRefusedByName() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Network.create(Map.of("plugins", "heartbeat", "heartbeat.interval", "often")).close());
        assertTrue(bad.getMessage().contains("heartbeat.interval"), bad.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Network.create(Map.of("plugins", "heartbeat", "heartbeat.intervall", "1s")).close());
        assertTrue(unknown.getMessage().contains("heartbeat.intervall"), unknown.getMessage());
    }
}
