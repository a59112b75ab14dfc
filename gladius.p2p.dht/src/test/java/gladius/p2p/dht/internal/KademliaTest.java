package gladius.p2p.dht.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.dht.DhtRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The core's lookups, puts and gets on a small net of cores in virtual time (VirtualDht), seeded. */
class KademliaTest {

    private static final Kademlia.Config CONFIG = Kademlia.Config.defaults();

    /** A net of {@code n} honest nodes, each joined through a random earlier one. */
    private static VirtualDht joined(long seed, int n, Kademlia.Config config) {
        VirtualDht net = VirtualDht.flat(seed, config, 20);
        SplittableRandom random = new SplittableRandom(seed);
        net.add();
        for (int i = 1; i < n; i++) {
            VirtualDht.Node node = net.add();
            net.join(node, net.nodes().get(random.nextInt(i)));
        }
        return net;
    }

    private static <T> T await(VirtualDht net, List<T> box) {
        assertTrue(net.runUntil(() -> !box.isEmpty(), 60_000), "the operation ended within a minute of virtual time");
        return box.get(0);
    }

    private static Kademlia.Result findNode(VirtualDht net, VirtualDht.Node from, NodeId target) {
        List<Kademlia.Result> box = new ArrayList<>();
        from.core.findNode(target, net.now(), box::add);
        net.wake(from);
        return await(net, box);
    }

    /** A writer key from the net's seed, so that records' places, and so the run, are the seed's. */
    private static Signer writer(VirtualDht net) {
        byte[] secret = new byte[Signer.KEY_BYTES];
        new SplittableRandom(net.nodes().size()).nextBytes(secret);
        return Signer.fromSecret(secret);
    }

    private static Records.Signed record(Signer writer, String name, String value, long sequence, long now) {
        return Records.sign(new DhtRecord(writer.publicKey(), name, value.getBytes(StandardCharsets.UTF_8), sequence,
                Instant.ofEpochMilli(now + 3_600_000)), writer);
    }

    private static Kademlia.Stored put(VirtualDht net, VirtualDht.Node from, Records.Signed record) {
        List<Kademlia.Stored> box = new ArrayList<>();
        from.core.put(record, net.now(), box::add);
        net.wake(from);
        return await(net, box);
    }

    private static Optional<Records.Signed> get(VirtualDht net, VirtualDht.Node from, NodeId place) {
        List<Kademlia.Result> box = new ArrayList<>();
        from.core.get(place, net.now(), box::add);
        net.wake(from);
        return await(net, box).record();
    }

    @Test
    void everyNodeFindsEveryOtherInANetOfThreeHundred() {
        VirtualDht net = joined(1, 300, CONFIG);
        SplittableRandom random = new SplittableRandom(2);
        int found = 0;
        for (int i = 0; i < 300; i++) {
            VirtualDht.Node from = net.nodes().get(random.nextInt(300));
            VirtualDht.Node to = net.nodes().get(i);
            if (from == to) {
                found++;
                continue;
            }
            Kademlia.Result r = findNode(net, from, to.id);
            if (!r.closest().isEmpty() && r.closest().get(0).id().equals(to.id)) {
                found++;
            }
            assertTrue(r.hops() <= 6, "hops " + r.hops());
        }
        assertEquals(300, found);
    }

    @Test
    void aLookupEndsWithTheKClosestNodesThatExist() {
        VirtualDht net = joined(3, 200, CONFIG);
        NodeId target = NodeId.random(new SplittableRandom(4));
        List<VirtualDht.Node> all = new ArrayList<>(net.nodes());
        all.sort((a, b) -> target.compareDistance(a.id, b.id));
        Kademlia.Result r = findNode(net, all.get(150), target);
        assertEquals(CONFIG.k(), r.closest().size());
        for (int i = 0; i < CONFIG.k(); i++) {
            assertEquals(all.get(i).id, r.closest().get(i).id(), "the " + i + "th closest");
        }
    }

    @Test
    void aRecordPutByOneIsGotByAnotherAndTheNewestWins() {
        VirtualDht net = joined(5, 200, CONFIG);
        Signer writer = writer(net);
        VirtualDht.Node a = net.nodes().get(10);
        VirtualDht.Node b = net.nodes().get(190);
        Kademlia.Stored stored = put(net, a, record(writer, "n", "first", 1, net.now()));
        assertEquals(CONFIG.k(), stored.stored(), "every one of the k closest took it");
        NodeId place = Records.place(writer.publicKey(), "n");
        assertArrayEquals("first".getBytes(StandardCharsets.UTF_8), get(net, b, place).orElseThrow().record().value());

        put(net, net.nodes().get(50), record(writer, "n", "second", 2, net.now()));
        assertArrayEquals("second".getBytes(StandardCharsets.UTF_8), get(net, b, place).orElseThrow().record().value());
        // An old copy put again (a replay) changes nothing.
        Kademlia.Stored replay = put(net, net.nodes().get(60), record(writer, "n", "first", 1, net.now()));
        assertEquals(CONFIG.k(), replay.stored(), "they keep the newer one, and say so");
        assertArrayEquals("second".getBytes(StandardCharsets.UTF_8), get(net, a, place).orElseThrow().record().value());
        assertTrue(get(net, b, Records.place(writer.publicKey(), "other")).isEmpty(), "no record is empty, not an error");
    }

    @Test
    void aRecordOutlivesHalfItsHoldersGoingDown() {
        VirtualDht net = joined(6, 200, CONFIG);
        Signer writer = writer(net);
        Records.Signed record = record(writer, "n", "v", 1, net.now());
        Kademlia.Result holders = put(net, net.nodes().get(0), record).lookup();
        for (int i = 0; i < holders.closest().size(); i += 2) {
            NodeId id = holders.closest().get(i).id();
            net.nodes().stream().filter(n -> n.id.equals(id)).forEach(n -> net.setUp(n, false));
        }
        assertTrue(get(net, net.nodes().get(199), record.place()).isPresent());
    }

    @Test
    void providersAreFound() {
        VirtualDht net = joined(8, 150, CONFIG);
        NodeId content = NodeId.random(new SplittableRandom(9));
        for (int i : new int[] {3, 40, 77}) {
            List<Kademlia.Stored> box = new ArrayList<>();
            net.nodes().get(i).core.provide(content, net.now(), box::add);
            net.wake(net.nodes().get(i));
            assertTrue(await(net, box).stored() > 0);
        }
        List<Kademlia.Result> box = new ArrayList<>();
        net.nodes().get(120).core.findProviders(content, net.now(), box::add);
        net.wake(net.nodes().get(120));
        List<Peer> providers = await(net, box).providers();
        assertEquals(3, providers.size());
    }

    @Test
    void disjointPathsGetPastSybilsThatEclipseOnePath() {
        // 20 % of the nodes answer every lookup with each other and drop every record.
        int honest = 240;
        int hostile = 60;
        double[] success = new double[2];
        int[] paths = {1, 3};
        for (int run = 0; run < 2; run++) {
            VirtualDht net = VirtualDht.flat(12, CONFIG.withPaths(paths[run]), 20);
            SplittableRandom random = new SplittableRandom(13);
            net.add();
            List<VirtualDht.Node> good = new ArrayList<>(List.of(net.nodes().get(0)));
            for (int i = 1; i < honest + hostile; i++) {
                if (random.nextInt(honest + hostile) < hostile) {
                    VirtualDht.Node sybil = net.addSybil();
                    for (VirtualDht.Node n : good) {
                        if (random.nextInt(4) == 0) {
                            net.introduce(sybil, n); // the sybils make themselves known
                        }
                    }
                } else {
                    VirtualDht.Node node = net.add();
                    net.join(node, good.get(random.nextInt(good.size())));
                    good.add(node);
                }
            }
            Signer writer = writer(net);
            int ok = 0;
            int tries = 60;
            for (int i = 0; i < tries; i++) {
                Records.Signed r = record(writer, "n" + i, "v", 1, net.now());
                put(net, good.get(random.nextInt(good.size())), r);
                if (get(net, good.get(random.nextInt(good.size())), r.place()).isPresent()) {
                    ok++;
                }
            }
            success[run] = ok / (double) tries;
        }
        assertTrue(success[1] >= 0.99, "d = 3 got " + success[1]);
        assertTrue(success[1] > success[0], "d = 1 got " + success[0] + ", d = 3 " + success[1]);
    }

    @Test
    void aSlowNodesLateAnswerStillCounts() {
        // Node 7 answers in 3 s, past the 1 s request timeout but before the request is given up (4 s).
        int slow = 7;
        VirtualDht net = new VirtualDht(21, CONFIG, (from, to, r) -> from == slow || to == slow ? 1500 : 20, 0);
        SplittableRandom random = new SplittableRandom(22);
        net.add();
        for (int i = 1; i < 60; i++) {
            VirtualDht.Node node = net.add();
            net.join(node, net.nodes().get(i == slow + 1 ? 0 : random.nextInt(i)));
        }
        VirtualDht.Node target = net.nodes().get(slow);
        VirtualDht.Node from = net.nodes().stream().filter(n -> n != target && !n.core.table().contains(target.id))
                .findFirst().orElse(net.nodes().get(30));
        Kademlia.Result r = findNode(net, from, target.id);
        assertEquals(target.id, r.closest().get(0).id(), "the slow node answered late, and is the closest");
        assertEquals(0, from.core.counters().timeouts, "a slow node is not a failed one");
    }

    @Test
    void findEndsAtTheFirstAnswerThatNamesTheNode() {
        VirtualDht net = joined(23, 300, CONFIG);
        VirtualDht.Node target = net.nodes().get(123);
        VirtualDht.Node from = net.nodes().stream().filter(n -> n != target && !n.core.table().contains(target.id))
                .findFirst().orElseThrow();
        net.setUp(target, false); // it need not answer: its entry, in others' answers, says where it is
        List<Kademlia.Result> box = new ArrayList<>();
        from.core.find(target.id, net.now(), box::add);
        net.wake(from);
        Kademlia.Result r = await(net, box);
        assertEquals(target.address, r.found().orElseThrow().address());
        assertTrue(r.messages() <= 2 * CONFIG.alpha() * CONFIG.paths(), "ended early: " + r.messages() + " requests");

        List<Kademlia.Result> none = new ArrayList<>();
        from.core.find(NodeId.random(new SplittableRandom(24)), net.now(), none::add);
        net.wake(from);
        assertTrue(await(net, none).found().isEmpty(), "no node has a random ID");
    }
}
