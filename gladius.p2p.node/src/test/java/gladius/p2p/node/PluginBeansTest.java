package gladius.p2p.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.Plugin;
import gladius.p2p.discovery.DiscoveryService;
import gladius.p2p.ethstate.EthState;
import gladius.p2p.ethstate.Rejection;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.Test;

/** The plugins' own figures over JMX, registered by the transport beside the network's. */
class PluginBeansTest {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private static ObjectName name(Network network, String plugin) throws Exception {
        return new ObjectName("gladius.p2p:type=Plugin,network=" + ObjectName.quote(network.localAddress().toString())
                + ",name=" + plugin);
    }

    @Test
    void everyPluginShowsItsFiguresUntilRemovedOrClosed() throws Exception {
        ObjectName latencyOfA;
        ObjectName pattern;
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "latency.interval", "100ms", "discovery.interval", "200ms"))) {
            Network a = cluster.start(Map.of());
            Network b = cluster.start(Map.of("discovery.seeds", a.localAddress().toString()));
            a.plugin(EthState.class).orElseThrow().put("name", "a".getBytes(StandardCharsets.UTF_8));
            b.plugin(EthState.class).orElseThrow().put("name", "b".getBytes(StandardCharsets.UTF_8));
            latencyOfA = name(a, "Latency");
            pattern = new ObjectName("gladius.p2p:type=Plugin,network=" + ObjectName.quote(a.localAddress().toString()) + ",*");
            Await.until("a's figures: one peer measured, two entries", () -> {
                try {
                    return ((TabularData) SERVER.getAttribute(latencyOfA, "MedianMillis")).size() == 1
                            && (Integer) SERVER.getAttribute(name(a, "EthState"), "Entries") == 2;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(1, SERVER.getAttribute(name(a, "Discovery"), "KnownPeers"));
            assertTrue((Long) SERVER.getAttribute(name(a, "Discovery"), "Rounds") > 0);
            assertEquals(a.plugin(EthState.class).orElseThrow().address(), SERVER.getAttribute(name(a, "EthState"), "SignerAddress"));
            TabularData loss = (TabularData) SERVER.getAttribute(latencyOfA, "LossRatio");
            assertEquals(1, loss.size());
            assertTrue(loss.values().toString().contains(b.localAddress().toString()), loss.toString());
            TabularData rejections = (TabularData) SERVER.getAttribute(name(a, "EthState"), "Rejections");
            for (Object row : rejections.values()) {
                Rejection.valueOf((String) ((CompositeData) row).get("key")); // keyed by the reasons' names
            }
            Await.until("a's DHT to know b", () -> {
                try {
                    return (Integer) SERVER.getAttribute(name(a, "Dht"), "KnownNodes") == 1;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue((Long) SERVER.getAttribute(name(a, "Dht"), "RequestsServed") > 0, "b asked a to join");
            Await.until("a's pubsub to have met b", () -> {
                try {
                    return (Integer) SERVER.getAttribute(name(a, "PubSub"), "Peers") == 1;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(0L, SERVER.getAttribute(name(a, "PubSub"), "MalformedMessages"));
            assertEquals(5, SERVER.queryNames(pattern, null).size(), "discovery, latency, ethstate, dht, pubsub: "
                    + SERVER.queryNames(pattern, null));

            assertTrue(a.removePlugin((Plugin) a.plugin(DiscoveryService.class).orElseThrow()));
            assertFalse(SERVER.isRegistered(name(a, "Discovery")), "a removed plugin's bean goes with it");
            assertTrue(SERVER.isRegistered(latencyOfA));
        }
        assertTrue(SERVER.queryNames(pattern, null).isEmpty(), "and every bean goes when the network closes");
    }
}
