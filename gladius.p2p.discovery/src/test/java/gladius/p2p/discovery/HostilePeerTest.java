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

    /** An answer (wire version 2) naming these nodes on 127.0.0.1 or other IPv4 addresses, without records. */
    static byte[] answer(int declaredCount, List<NodeAddress> nodes) {
        ByteBuffer out = ByteBuffer.allocate(2 + nodes.size() * 9);
        out.put((byte) 2).put((byte) declaredCount);
        for (NodeAddress node : nodes) {
            byte[] ip = new byte[4];
            String[] parts = node.host().split("\\.");
            for (int i = 0; i < 4; i++) {
                ip[i] = (byte) Integer.parseInt(parts[i]);
            }
            out.put((byte) 4).put(ip).putShort((short) node.port()).putShort((short) 0);
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
                    answer(16, lies.subList(0, 10)), // 16 declared, 10 carried: truncated
                    answer(16, lies.subList(0, 16)), // well formed, full of lies
                    answer(16, lies.subList(60, 76)), // and more lies: dead ports
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

    /** The request body (wire version 2), by hand. */
    private static final byte[] REQUEST = {2};

    /**
     * 64 sybils on one address announce themselves to a node (each sends a request, which adds
     * its sender if there is room); then four honest nodes on four other /24s do. The sybils get
     * at most discovery.max-per-subnet places, the honest nodes theirs. The node listens on all
     * addresses (a loopback-only node treats its whole host as one cluster), the others on
     * addresses of 127.0.0.0/8, which Linux routes to the loopback interface without setup.
     */
    @Test
    void sixtyFourSybilsOnOneAddressGetTheirShareOfTheTableAndHonestNodesStillGetIn() {
        try (Cluster cluster = new Cluster()) {
            Network victim = cluster.startOn(new NodeAddress("0.0.0.0", 0), settings("discovery.max-peers", "8"));
            NodeAddress victimAt = new NodeAddress("127.0.0.1", victim.localAddress().port());
            List<gladius.p2p.testing.Inbox> sybilInboxes = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                gladius.p2p.testing.Inbox inbox = new gladius.p2p.testing.Inbox();
                sybilInboxes.add(inbox);
                Network sybil = cluster.startOn(Cluster.LOOPBACK, Map.of("provider", "kcp", "plugins", "none"), inbox);
                sybil.broadcast(sybil.newMessage(DiscoveryService.REQUEST, REQUEST), victimAt);
            }
            Await.until("every sybil's request answered", () -> sybilInboxes.stream()
                    .allMatch(inbox -> inbox.count(DiscoveryService.ANSWER) > 0));
            long sybils = routeTable(victim).stream().filter(n -> n.host().equals("127.0.0.1")).count();
            assertTrue(sybils <= 2, sybils + " sybils of one /24 in the table: " + routeTable(victim));

            List<NodeAddress> honest = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                Network node = cluster.startOn(new NodeAddress("127.0." + i + ".1", 0),
                        settings("discovery.seeds", victimAt.toString()));
                honest.add(node.localAddress());
            }
            Await.until("the four honest nodes in the table", () -> routeTable(victim).containsAll(honest),
                    () -> "" + routeTable(victim));
            assertTrue(routeTable(victim).size() <= 8, "" + routeTable(victim));
            assertTrue(discovery(victim).refusedNodes() >= 62, "the rest were refused, and counted: " + discovery(victim).refusedNodes());
        }
    }

    /**
     * One answer that would make a node send handshakes to many addresses of somebody else's: a
     * dozen ports of one host, a multicast group, the broadcast and unspecified addresses, a private
     * address. Only one of the dozen is dialed (the answering peer holds the /24's other place);
     * nothing else is.
     */
    @Test
    void anAnswerFullOfOtherPeoplesAddressesMakesTheNodeDialAtMostItsShare() throws Exception {
        try (Cluster cluster = new Cluster()) {
            List<java.nio.channels.DatagramChannel> targets = new ArrayList<>();
            try {
                List<NodeAddress> named = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    java.nio.channels.DatagramChannel target = java.nio.channels.DatagramChannel.open();
                    target.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
                    target.configureBlocking(false);
                    targets.add(target);
                    named.add(new NodeAddress("127.0.0.1", ((java.net.InetSocketAddress) target.getLocalAddress()).getPort()));
                }
                List<NodeAddress> none = List.of(new NodeAddress("224.0.0.1", 7000), new NodeAddress("0.0.0.0", 7000),
                        new NodeAddress("255.255.255.255", 7000), new NodeAddress("10.1.2.3", 7000));
                named.addAll(none);
                Network hostile = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
                ScriptedAnswers script = new ScriptedAnswers(List.of(answer(named.size(), named)));
                hostile.registerPlugin(script);
                Network victim = cluster.startOn(new NodeAddress("0.0.0.0", 0), settings("discovery.seeds",
                        hostile.localAddress().toString()));
                Await.until("the answer handled", () -> script.done() && discovery(victim).refusedNodes() >= 15,
                        () -> "refused " + discovery(victim).refusedNodes() + ", table " + routeTable(victim));
                assertTrue(routeTable(victim).stream().noneMatch(node -> none.stream()
                        .anyMatch(n -> n.host().equals(node.host()))), "" + routeTable(victim));
                assertEquals(2, routeTable(victim).size(), "the hostile peer and one of its dozen: " + routeTable(victim));
                // Only that one address hears from the victim: what it dials is what it added.
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(2048);
                Await.until("the one dial", () -> targets.stream().anyMatch(target -> received(target, buffer)));
                int reached = 0;
                for (java.nio.channels.DatagramChannel target : targets) {
                    boolean heard = false;
                    while (received(target, buffer)) {
                        heard = true;
                    }
                    NodeAddress at = new NodeAddress("127.0.0.1", ((java.net.InetSocketAddress) target.getLocalAddress()).getPort());
                    if (heard || routeTable(victim).contains(at)) {
                        reached++;
                    }
                }
                assertEquals(1, reached, "one of the dozen was dialed");
            } finally {
                for (java.nio.channels.DatagramChannel target : targets) {
                    target.close();
                }
            }
        }
    }

    @Test
    void aPeerAskingFasterThanTheRequestIntervalIsAnsweredOnceAndCounted() {
        try (Cluster cluster = new Cluster()) {
            Network node = cluster.start(settings("discovery.request-interval", "1h"));
            gladius.p2p.testing.Inbox inbox = new gladius.p2p.testing.Inbox();
            Network asker = cluster.startOn(Cluster.LOOPBACK, Map.of("provider", "kcp", "plugins", "none"), inbox);
            for (int i = 0; i < 100; i++) {
                asker.broadcast(asker.newMessage(DiscoveryService.REQUEST, REQUEST), node.localAddress());
            }
            Await.until("the 99 requests after the first counted", () -> discovery(node).unansweredRequests() == 99);
            // Every request was handled by now, and one was answered: that answer may still be on its way.
            Await.until("the one answer at the asker", () -> inbox.count(DiscoveryService.ANSWER) >= 1);
            assertEquals(1, inbox.count(DiscoveryService.ANSWER));
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

    /** Whether a datagram was waiting at this non-blocking socket (read into the buffer). */
    private static boolean received(java.nio.channels.DatagramChannel socket, java.nio.ByteBuffer buffer) {
        try {
            return socket.receive(buffer.clear()) != null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static DiscoveryService discovery(Network network) {
        return network.plugin(DiscoveryService.class).orElseThrow();
    }
}
