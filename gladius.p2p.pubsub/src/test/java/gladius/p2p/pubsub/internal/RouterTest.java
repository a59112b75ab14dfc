package gladius.p2p.pubsub.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The router's rules on many routers in virtual time ({@link VirtualPubSub}): no sockets, one seed one run. */
class RouterTest {

    private static final Router.Config CONFIG = Router.Config.defaults();
    private static final String TOPIC = "blocks";

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every node subscribed, then ten heartbeats for the meshes to settle. */
    private static VirtualPubSub subscribedNet(long seed, int n, int degree) {
        VirtualPubSub net = VirtualPubSub.connected(seed, CONFIG, n, degree, 20);
        for (VirtualPubSub.Node node : net.nodes()) {
            node.router.subscribe(TOPIC, net.now());
        }
        net.run(10 * CONFIG.heartbeatMillis());
        return net;
    }

    @Test
    void everyMeshSettlesBetweenDLoAndDHiAndIsMutual() {
        VirtualPubSub net = subscribedNet(1, 200, 10);
        for (VirtualPubSub.Node node : net.nodes()) {
            int size = node.router.mesh(TOPIC).size();
            assertTrue(size >= CONFIG.dLo() && size <= CONFIG.dHi(), "node " + node.index + " has " + size + " mesh peers");
            for (int peer : node.router.mesh(TOPIC)) {
                assertTrue(net.nodes().get(peer).router.mesh(TOPIC).contains(node.index),
                        node.index + " has " + peer + " in its mesh, but not the other way round");
            }
        }
    }

    @Test
    void aNodeToldOfNoSessionStillLearnsItsPeersTopicsAndForgottenPeersAreMetAgain() {
        VirtualPubSub net = new VirtualPubSub(9, CONFIG, (a, b, r) -> 20, 0);
        VirtualPubSub.Node dialer = net.add();
        VirtualPubSub.Node dialed = net.add();
        dialed.router.subscribe(TOPIC, net.now()); // before the session: it has nobody to tell yet
        dialer.router.subscribe("other", net.now());
        net.connectOneWay(dialer, dialed);
        net.run(100);
        assertEquals(List.of(dialed.index), dialer.router.subscribers(TOPIC), "the dialer learned the dialed node's topic");
        assertEquals(List.of(dialer.index), dialed.router.subscribers("other"), "and the other way round");
        // A peer forgotten (its session seemed gone) but still sending is met again, and asked again.
        dialed.router.removePeer(dialer.index, net.now());
        assertTrue(dialed.router.subscribers("other").isEmpty());
        dialer.router.publish(TOPIC, new byte[0], 1, text("hello"), net.now());
        net.run(100);
        assertEquals(List.of(dialer.index), dialed.router.subscribers("other"), "asked again for its topics");
        assertTrue(dialed.delivered.containsKey(VirtualPubSub.key(TOPIC, text("hello"))));
        long messages = net.messages();
        net.run(100);
        assertEquals(messages, net.messages(), "hellos end: no node answers an answer");
    }

    @Test
    void aMeshOverDHiIsPrunedToDAndThePrunedKeepTheirBackoff() {
        // A hub and twenty nodes that only know the hub: each grafts it, so its mesh has twenty.
        VirtualPubSub net = new VirtualPubSub(6, CONFIG, (a, b, r) -> 20, 0);
        VirtualPubSub.Node hub = net.add();
        for (int i = 0; i < 20; i++) {
            net.connect(hub, net.add());
        }
        hub.router.subscribe(TOPIC, net.now());
        net.run(100); // the leaves know the hub subscribes: each grafts it as it subscribes, all at once
        net.nodes().stream().filter(n -> n != hub).forEach(n -> n.router.subscribe(TOPIC, net.now()));
        net.run(50);
        assertEquals(20, hub.router.mesh(TOPIC).size(), "a GRAFT is taken even above D_hi");
        net.run(CONFIG.heartbeatMillis());
        assertEquals(CONFIG.d(), hub.router.mesh(TOPIC).size(), "the heartbeat pruned it to D");
        assertEquals(20 - CONFIG.d(), hub.router.counters().prunes);
        // Those pruned stay out for the backoff (a minute), though their meshes stay below D_lo.
        net.run(50 * CONFIG.heartbeatMillis());
        assertEquals(20 - CONFIG.d(), hub.router.counters().prunes, "no leaf grafted again within its backoff");
        long withHub = net.nodes().stream().filter(n -> n.router.mesh(TOPIC).contains(hub.index)).count();
        assertEquals(hub.router.mesh(TOPIC).size(), withHub, "the mesh is mutual");
    }

    @Test
    void everySubscriberGetsEachMessageOnceAndNobodyElseDoes() {
        long duplicates = duplicatesDelivering(CONFIG, 200);
        assertTrue(duplicates > 0, "a mesh of six sends copies: the figure issue 28 is to cut");
    }

    @Test
    void lazyLinksDeliverTheSameWithFarFewerCopies() {
        long plain = duplicatesDelivering(CONFIG, 200);
        long lazy = duplicatesDelivering(CONFIG.withChoke(true, 2, 200, false), 200);
        assertTrue(lazy < plain / 2, lazy + " duplicates with lazy links, " + plain + " without");
        // Per source, a tree forms only for sources that publish again: three publishers here.
        long fewPlain = duplicatesDelivering(CONFIG, 3);
        long perSource = duplicatesDelivering(CONFIG.withChoke(true, 2, 200, true), 3);
        assertTrue(perSource < fewPlain / 2, perSource + " duplicates with lazy links per source, " + fewPlain + " without");
    }

    /**
     * Half of 200 nodes subscribe; twenty messages from random nodes among the first
     * {@code publishers}, subscribers and not (fanout) alike. Checks every subscriber got each once
     * and nobody else any; returns the duplicates.
     */
    private static long duplicatesDelivering(Router.Config config, int publishers) {
        VirtualPubSub net = VirtualPubSub.connected(2, config, 200, 10, 20);
        SplittableRandom random = new SplittableRandom(3);
        // Gossipsub forwards among subscribers only: a subscriber whose peers all are not would be
        // cut off by the draw of the graph (one in a thousand are, at degree 10), so each gets two.
        for (VirtualPubSub.Node node : net.nodes()) {
            while (node.index % 2 == 0 && node.sessions.stream().filter(p -> p % 2 == 0).count() < 2) {
                int other = 2 * random.nextInt(100);
                if (other != node.index) {
                    net.connect(node, net.nodes().get(other));
                }
            }
        }
        net.nodes().stream().filter(n -> n.index % 2 == 0).forEach(n -> n.router.subscribe(TOPIC, net.now()));
        net.run(10 * config.heartbeatMillis());
        for (int i = 0; i < 20; i++) {
            int publisher = random.nextInt(publishers);
            net.nodes().get(publisher).router.publish(TOPIC, new byte[] {(byte) publisher}, i, text("message " + i), net.now());
            net.run(100);
        }
        net.run(5_000);
        for (VirtualPubSub.Node node : net.nodes()) {
            // A delivery twice would have thrown in VirtualPubSub.
            assertEquals(node.index % 2 == 0 ? 20 : 0, node.delivered.size(), "node " + node.index);
        }
        return net.nodes().stream().mapToLong(n -> n.router.counters().duplicates).sum();
    }

    @Test
    void aHostilePeerCannotMakeTheRouterHoldMore() {
        List<byte[]> sent = new java.util.ArrayList<>();
        Router<Integer> router = new Router<>(CONFIG.withChoke(true, 2, 200, true), new Router.Io<>() {
            @Override
            public void send(Integer peer, byte[] message) {
                sent.add(message);
            }

            @Override
            public void deliver(Router.Message message) {}
        }, new SplittableRandom(7));
        router.subscribe(TOPIC, 0);
        router.addPeer(1, 0);
        router.tick(0);
        long before = router.heldEntries();
        SplittableRandom random = new SplittableRandom(8);
        for (int i = 0; i < 20_000; i++) {
            String topic = "t" + random.nextInt();
            byte[] id = new byte[Wire.ID_BYTES];
            random.nextBytes(id);
            router.receive(1, Wire.encode(List.of(new Wire.Subscription(topic, true), new Wire.Graft(topic), new Wire.Prune(topic, 65_535),
                    new Wire.Choke(topic, true, id), new Wire.IHave(topic, List.of(id)), new Wire.IWant(List.of(id)),
                    new Wire.Publish(topic, new byte[0], i, new byte[100]))), i);
        }
        assertTrue(router.heldEntries() <= before + Router.MAX_TOPICS_PER_PEER,
                router.heldEntries() + " entries held, " + before + " before");
        assertTrue(router.counters().refused >= 20_000 * 3L, router.counters().refused + " refused");
        assertEquals(0, router.counters().delivered);
    }

    @Test
    void aRejectedMessageIsNeitherDeliveredNorForwarded() {
        VirtualPubSub net = subscribedNet(4, 100, 10);
        net.nodes().forEach(n -> n.verdict = Router.Validation.REJECT);
        VirtualPubSub.Node publisher = net.nodes().get(0);
        publisher.router.publish(TOPIC, new byte[0], 1, text("bad"), net.now());
        net.run(5_000);
        for (VirtualPubSub.Node node : net.nodes()) {
            assertEquals(node == publisher ? 1 : 0, node.delivered.size(), "node " + node.index);
            assertEquals(0, node.router.counters().forwarded, "node " + node.index + " forwarded it");
        }
        long rejected = net.nodes().stream().mapToLong(n -> n.router.counters().rejected).sum();
        assertEquals(publisher.sessions.size(), rejected, "each of the publisher's peers got its copy once, and rejected it");
    }

    @Test
    void aNodeOutsideEveryMeshGetsWhatItMissedThroughGossip() {
        VirtualPubSub net = VirtualPubSub.connected(5, CONFIG, 100, 10, 20);
        // A node with sessions to D peers only: its mesh is all of them.
        VirtualPubSub.Node outsider = net.add();
        for (int i = 0; i < CONFIG.d(); i++) {
            net.connect(outsider, net.nodes().get(10 * i));
        }
        net.nodes().forEach(n -> n.router.subscribe(TOPIC, net.now()));
        net.run(10 * CONFIG.heartbeatMillis());
        assertEquals(outsider.sessions, outsider.router.mesh(TOPIC));
        // Leaving prunes that mesh with a backoff both sides keep: back at once, it is subscribed but
        // in no mesh for the backoff, so only gossip (IHAVE, then its IWANT) can bring it messages.
        outsider.router.unsubscribe(TOPIC, net.now());
        net.run(100);
        outsider.router.subscribe(TOPIC, net.now());
        net.run(100);
        assertTrue(outsider.router.mesh(TOPIC).isEmpty(), "in a mesh: " + outsider.router.mesh(TOPIC));
        VirtualPubSub.Node publisher = net.nodes().get(1);
        publisher.router.publish(TOPIC, new byte[0], 1, text("missed"), net.now());
        String missed = VirtualPubSub.key(TOPIC, text("missed"));
        assertTrue(net.runUntil(() -> outsider.delivered.containsKey(missed), 5_000), "gossip brought it");
        assertTrue(outsider.router.counters().iwantSent > 0, "it asked for it");
        assertTrue(outsider.router.mesh(TOPIC).isEmpty(), "still in no mesh: it came by gossip");
        assertTrue(net.nodes().stream().allMatch(n -> n.delivered.containsKey(missed)),
                "and everyone else has it: " + net.nodes().stream().filter(n -> !n.delivered.containsKey(missed))
                        .map(n -> n.index).collect(Collectors.toList()));
    }
}
