package gladius.p2p.discovery;

import static gladius.p2p.discovery.DiscoveryTest.routeTable;
import static gladius.p2p.discovery.DiscoveryTest.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A peer that lies in its answers. The answers are written by hand, byte by byte, so the test
 * does not share the plugin's own encoder.
 */
class HostilePeerTest {

    /** Answers the n-th request with the n-th body, then stops answering. */
    private static final class ScriptedAnswers implements Plugin {
        private final List<byte[]> script;
        private final AtomicInteger next = new AtomicInteger();
        private volatile Network network;

        ScriptedAnswers(List<byte[]> script) {
            this.script = script;
        }

        @Override
        public void startup(Network network) {
            this.network = network;
        }

        @Override
        public void newMessage(Message message) {
            int n = next.getAndIncrement();
            if (message.type().equals(DiscoveryService.REQUEST) && n < script.size()) {
                network.broadcast(network.newMessage(DiscoveryService.ANSWER, script.get(n)), message.sender());
            }
        }

        boolean done() {
            return next.get() >= script.size();
        }
    }

    private static byte[] answer(int declaredCount, List<NodeAddress> nodes) {
        ByteBuffer out = ByteBuffer.allocate(2 + nodes.size() * 7);
        out.put((byte) 1).put((byte) declaredCount);
        for (NodeAddress node : nodes) {
            out.put((byte) 4).put(new byte[] {127, 0, 0, 1}).putShort((short) node.port());
        }
        return out.array();
    }

    @Test
    void liesInAnswersNeitherOverfillTheTableNorThrowAndGarbageIsCounted() {
        try (Cluster cluster = new Cluster()) {
            Network hostile = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            Network victim = cluster.start(settings("discovery.max-peers", "8", "discovery.unreachable-after", "1s",
                    "discovery.seeds", hostile.localAddress().toString()));

            List<NodeAddress> tenThousand = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                tenThousand.add(new NodeAddress("127.0.0.1", 1 + i % 65_000));
            }
            List<NodeAddress> lies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                lies.add(victim.localAddress()); // its own address, over and over
                lies.add(hostile.localAddress()); // one it already holds
                lies.add(new NodeAddress("127.0.0.1", 9)); // a duplicate of a dead port
            }
            for (int i = 0; i < 20; i++) {
                lies.add(new NodeAddress("127.0.0.1", 20_000 + i)); // nobody listens there
            }
            byte[] garbage = new byte[4096];
            new Random(7).nextBytes(garbage);
            ScriptedAnswers script = new ScriptedAnswers(List.of(
                    answer(255, tenThousand), // declares 255, carries 10,000: over the limit
                    answer(lies.size(), lies.subList(0, 64)), // 80 declared, 64 carried: truncated
                    answer(64, lies.subList(0, 64)), // well formed, full of lies
                    garbage,
                    new byte[0]));
            hostile.registerPlugin(script);

            AtomicInteger largest = new AtomicInteger();
            Await.until("the victim to hear every scripted answer", () -> {
                largest.accumulateAndGet(routeTable(victim).size(), Math::max);
                return script.done() && discovery(victim).malformedMessages() >= 4;
            });
            // Answers from a node it never asked are ignored, even well formed ones.
            Network stranger = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            for (int i = 0; i < 10; i++) {
                stranger.broadcast(stranger.newMessage(DiscoveryService.ANSWER, answer(1, List.of(new NodeAddress("127.0.0.1", 30_000 + i)))),
                        victim.localAddress());
            }
            Await.until("the unsolicited answers to be counted", () -> discovery(victim).unsolicitedAnswers() >= 10);

            largest.accumulateAndGet(routeTable(victim).size(), Math::max);
            assertTrue(largest.get() <= 8, "the table never passed max-peers: " + largest);
            assertEquals(4, discovery(victim).malformedMessages(), "10,000 entries, truncated, random bytes, empty");
            assertTrue(routeTable(victim).stream().noneMatch(n -> n.port() >= 30_000 && n.port() < 30_010), "no unsolicited node was added");
            assertTrue(!routeTable(victim).contains(victim.localAddress()), "never itself");
            assertEquals(0, victim.networkState().pluginFailures(), "nothing was thrown");

            // The dead addresses it was fed are deleted once unreachable for long enough; the hostile node stays.
            Await.until("the fake nodes to be deleted", () -> routeTable(victim).equals(java.util.Set.of(hostile.localAddress())),
                    () -> "" + routeTable(victim));
        }
    }

    @Test
    void typesOutsideTheNamespaceAreIgnoredAndUnknownOnesInItCounted() {
        try (Cluster cluster = new Cluster()) {
            Network sender = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            Network node = cluster.start(settings());
            sender.broadcast(sender.newMessage("chat/hello", new byte[] {1, 2, 3}), node.localAddress());
            sender.broadcast(sender.newMessage("discovery/unknown", new byte[] {1}), node.localAddress());
            Await.until("the unknown discovery type to be counted", () -> discovery(node).malformedMessages() == 1);
            assertEquals(2, node.networkState().messagesReceived());
            assertEquals(0, node.networkState().pluginFailures());
        }
    }

    private static DiscoveryService discovery(Network network) {
        return network.plugin(DiscoveryService.class).orElseThrow();
    }
}
