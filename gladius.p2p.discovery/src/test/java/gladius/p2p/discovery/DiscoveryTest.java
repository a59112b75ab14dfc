package gladius.p2p.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Discovery on real networks on 127.0.0.1, with the plugin found through Network.create. */
class DiscoveryTest {

    static Map<String, String> settings(String... keyValues) {
        Map<String, String> settings = new HashMap<>(Map.of("provider", "kcp", "plugins", "discovery",
                "discovery.interval", "200ms"));
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        return settings;
    }

    static Set<NodeAddress> routeTable(Network network) {
        return network.networkState().peers().stream().filter(PeerState::inRouteTable)
                .map(PeerState::address).collect(Collectors.toSet());
    }

    /** Starts node 0 with no seeds, then n - 1 nodes seeded with node 0 only. */
    static List<Network> seededFromTheFirst(Cluster cluster, int n, String... keyValues) {
        Network first = cluster.start(settings(keyValues));
        Map<String, String> seeded = settings(keyValues);
        seeded.put("discovery.seeds", first.localAddress().toString());
        for (int i = 1; i < n; i++) {
            cluster.start(seeded);
        }
        return cluster.nodes();
    }

    @Test
    void fiftyNodesSeededWithOneLearnEveryOtherWithinFifteenSeconds() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = seededFromTheFirst(cluster, 50, "discovery.max-peers", "64");
            Await.until("every node to hold the 49 others", Duration.ofSeconds(15),
                    () -> nodes.stream().allMatch(n -> routeTable(n).size() == 49),
                    () -> "table sizes " + nodes.stream().map(n -> routeTable(n).size()).collect(Collectors.toList()));
            for (Network node : nodes) {
                Set<NodeAddress> expected = nodes.stream().map(Network::localAddress).collect(Collectors.toSet());
                expected.remove(node.localAddress());
                assertEquals(expected, routeTable(node));
                // The plugin learns of additions through nodeAdded, which reaches it after the route table changed.
                DiscoveryService discovery = node.plugin(DiscoveryService.class).orElseThrow();
                Await.until("discovery at " + node.localAddress() + " to know what its route table holds",
                        () -> discovery.knownPeers().equals(expected), () -> discovery.knownPeers().size() + " known");
            }
        }
    }

    @Test
    void maxPeersBoundsEveryTableAndTheGraphStaysConnected() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = seededFromTheFirst(cluster, 50, "discovery.max-peers", "8");
            AtomicInteger largest = new AtomicInteger();
            Await.until("every table to fill to 8", Await.TIMEOUT, () -> {
                List<Integer> sizes = nodes.stream().map(n -> routeTable(n).size()).collect(Collectors.toList());
                sizes.forEach(size -> largest.accumulateAndGet(size, Math::max));
                return sizes.stream().allMatch(size -> size == 8);
            }, () -> "largest seen " + largest);
            assertEquals(8, largest.get(), "no table ever held more than max-peers");
            assertTrue(connected(nodes), "the route tables form one connected graph");
        }
    }

    /** Breadth-first over route-table edges, taken as undirected (a session carries both ways). */
    private static boolean connected(List<Network> nodes) {
        Map<NodeAddress, Set<NodeAddress>> edges = new HashMap<>();
        for (Network node : nodes) {
            for (NodeAddress peer : routeTable(node)) {
                edges.computeIfAbsent(node.localAddress(), k -> new HashSet<>()).add(peer);
                edges.computeIfAbsent(peer, k -> new HashSet<>()).add(node.localAddress());
            }
        }
        Set<NodeAddress> reached = new HashSet<>(Set.of(nodes.get(0).localAddress()));
        ArrayDeque<NodeAddress> frontier = new ArrayDeque<>(reached);
        while (!frontier.isEmpty()) {
            for (NodeAddress next : edges.getOrDefault(frontier.poll(), Set.of())) {
                if (reached.add(next)) {
                    frontier.add(next);
                }
            }
        }
        return reached.size() == nodes.size();
    }

    @Test
    void aStoppedNodeIsDeletedFromEveryTableWithinUnreachableAfterPlusOneInterval() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = seededFromTheFirst(cluster, 10, "discovery.unreachable-after", "1s");
            Await.until("every node to hold the 9 others", () -> nodes.stream().allMatch(n -> routeTable(n).size() == 9));
            Network stopped = nodes.get(5);
            NodeAddress gone = stopped.localAddress();
            List<Network> survivors = nodes.stream().filter(n -> n != stopped).collect(Collectors.toList());

            cluster.stop(stopped);
            // unreachable-after (1 s) plus one interval (200 ms, +10 % jitter), plus 3 s for a loaded 2-core machine
            // (rounds run on a shared pool; the benchmarks measure the real figure).
            Await.until("every table to lose " + gone, Duration.ofMillis(1000 + 220 + 3000),
                    () -> survivors.stream().noneMatch(n -> routeTable(n).contains(gone)),
                    () -> "still held by " + survivors.stream().filter(n -> routeTable(n).contains(gone)).count());
            for (Network node : survivors) {
                assertEquals(8, routeTable(node).size(), "the others stay: " + routeTable(node));
            }
        }
    }

    @Test
    void aFullNodeStillAnswersRequestsFromNodesItHasNotAdded() {
        try (Cluster cluster = new Cluster()) {
            Network b = cluster.start(settings());
            Network a = cluster.start(settings("discovery.max-peers", "1", "discovery.seeds", b.localAddress().toString()));
            Await.until("a to add its seed b", () -> routeTable(a).equals(Set.of(b.localAddress())));
            Await.until("a's session to b to come up",
                    () -> a.networkState().peer(b.localAddress()).map(PeerState::connected).orElse(false));

            Network c = cluster.start(settings("discovery.seeds", a.localAddress().toString()));
            Await.until("c to learn b from a", () -> routeTable(c).contains(b.localAddress()));
            assertEquals(Set.of(b.localAddress()), routeTable(a), "a was full: it answered c without adding it");
            assertFalse(a.networkState().peer(c.localAddress()).map(PeerState::writable).orElse(false));
        }
    }

    @Test
    void aFullTableKeepsAskingAndMakesRoomByDroppingTheNodeUnreachableLongest() {
        try (Cluster cluster = new Cluster()) {
            Network c = cluster.start(settings());
            Network b = cluster.start(settings("discovery.seeds", c.localAddress().toString()));
            NodeAddress dead = new NodeAddress("127.0.0.1", 9); // the discard port: never answers
            // Two places, both taken at start; nobody is deleted for being unreachable within the test.
            Network a = cluster.start(settings("discovery.max-peers", "2", "discovery.unreachable-after", "1h",
                    "discovery.seeds", dead + "," + b.localAddress()));
            Await.until("a's full table to trade the dead seed for c, which b knows",
                    () -> routeTable(a).equals(Set.of(b.localAddress(), c.localAddress())), () -> "" + routeTable(a));
        }
    }

    @Test
    void discoverNowRunsARoundWithoutWaitingForTheInterval() {
        try (Cluster cluster = new Cluster()) {
            // An hour between rounds (the first comes at a random point of its first tenth): only discoverNow asks now.
            Network a = cluster.start(settings("discovery.interval", "1h", "discovery.unreachable-after", "1h"));
            Network b = cluster.start(settings("discovery.interval", "1h", "discovery.unreachable-after", "1h"));
            Network c = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            AtomicInteger requestsAtB = new AtomicInteger();
            b.registerPlugin(new gladius.p2p.Plugin() {
                @Override
                public void newMessage(gladius.p2p.Message message) {
                    if (message.type().equals(DiscoveryService.REQUEST)) {
                        requestsAtB.incrementAndGet();
                    }
                }
            });
            b.add(c.localAddress());
            a.add(b.localAddress());
            Await.until("a's session to b", () -> a.networkState().peer(b.localAddress()).map(PeerState::connected).orElse(false));
            int before = requestsAtB.get(); // 1 if a's first round happened to fall in these moments, else 0

            a.plugin(DiscoveryService.class).orElseThrow().discoverNow();
            Await.until("a round's request at b", () -> requestsAtB.get() > before);
            Await.until("a to learn c from b's answer", () -> routeTable(a).contains(c.localAddress()));
        }
    }

    /**
     * In a secure network nodes learn each other from signed records only, and every node that
     * discovery adds is added with its key pinned: the seed by the key the setting gives
     * ({@code KEYHEX@HOST:PORT}), the rest by the key their own records carry.
     */
    @Test
    void secureNodesLearnEachOtherFromSignedRecordsWithEveryKeyPinned() {
        try (Cluster cluster = new Cluster()) {
            Network first = cluster.start(settings("kcp.secure", "true"));
            String seed = first.networkState().key().orElseThrow() + "@" + first.localAddress();
            for (int i = 1; i < 10; i++) {
                cluster.start(settings("kcp.secure", "true", "discovery.seeds", seed));
            }
            List<Network> nodes = cluster.nodes();
            Await.until("every node to hold the 9 others, connected", () -> nodes.stream().allMatch(n -> n.networkState().peers()
                    .stream().filter(p -> p.inRouteTable() && p.connected()).count() == 9),
                    () -> "table sizes " + nodes.stream().map(n -> routeTable(n).size()).collect(Collectors.toList()));
            for (Network node : nodes) {
                for (PeerState peer : node.networkState().peers()) {
                    Network other = nodes.stream().filter(n -> n.localAddress().equals(peer.address())).findFirst().orElseThrow();
                    assertEquals(other.networkState().key(), peer.key(), "the key " + peer.address() + " proved");
                    assertTrue(peer.record().isPresent(), "and its record: " + peer);
                }
                assertEquals(0, node.networkState().sessionsRefused(), node.networkState().toString());
            }
        }
    }

    /**
     * A node that two peers see at two addresses (one of them reaches it through a NAT, here a
     * LossyLink) has both in its record; a third node hears of it from both, and adds it once: a
     * key is one node, whatever the addresses.
     */
    @Test
    void aNodeSeenAtTwoAddressesIsAddedOnceByItsKey() {
        try (Cluster cluster = new Cluster()) {
            Network x = cluster.start(settings("kcp.secure", "true", "discovery.interval", "1h", "discovery.unreachable-after", "1h"));
            Network p1 = cluster.start(settings("kcp.secure", "true", "discovery.interval", "1h", "discovery.unreachable-after", "1h"));
            Network p2 = cluster.start(settings("kcp.secure", "true", "discovery.interval", "1h", "discovery.unreachable-after", "1h"));
            try (gladius.p2p.testing.LossyLink link = gladius.p2p.testing.LossyLink.between(x.localAddress(), p2.localAddress(),
                    gladius.p2p.testing.LinkConditions.PERFECT)) {
                NodeAddress xAsP2SeesIt = link.standInFor(x.localAddress());
                p1.add(new gladius.p2p.Contact(x.networkState().key().orElseThrow(), x.localAddress()));
                p2.add(new gladius.p2p.Contact(x.networkState().key().orElseThrow(), xAsP2SeesIt));
                Await.until("x's record naming both addresses, at both peers", () -> java.util.stream.Stream.of(p1, p2)
                        .allMatch(p -> p.networkState().peers().stream().anyMatch(peer -> peer.record()
                                .filter(r -> r.addresses().containsAll(List.of(x.localAddress(), xAsP2SeesIt))).isPresent())));
                Network c = cluster.start(settings("kcp.secure", "true", "discovery.seeds",
                        p1.networkState().key().orElseThrow() + "@" + p1.localAddress() + ","
                                + p2.networkState().key().orElseThrow() + "@" + p2.localAddress()));
                DiscoveryService discovery = c.plugin(DiscoveryService.class).orElseThrow();
                Await.until("c asking both seeds, and hearing of x from both", () -> {
                    discovery.discoverNow();
                    return discovery.refusedNodes() > 0 && routeTable(c).stream()
                            .anyMatch(n -> n.equals(x.localAddress()) || n.equals(xAsP2SeesIt));
                }, () -> "table " + routeTable(c) + ", refused " + discovery.refusedNodes());
                assertEquals(1, routeTable(c).stream().filter(n -> n.equals(x.localAddress()) || n.equals(xAsP2SeesIt)).count(),
                        "x once, at one of its addresses: " + routeTable(c));
            }
        }
    }

    @Test
    void aSecureNodeAddsNobodyFromAnAnswerWithoutRecords() {
        try (Cluster cluster = new Cluster()) {
            Network plainAnswerer = cluster.start(Map.of("provider", "kcp", "plugins", "none", "kcp.secure", "true"));
            Network nobody = cluster.start(Map.of("provider", "kcp", "plugins", "none", "kcp.secure", "true"));
            plainAnswerer.registerPlugin(new gladius.p2p.Plugin() {
                private volatile Network network;

                @Override
                public void startup(Network network) {
                    this.network = network;
                }

                @Override
                public void newMessage(gladius.p2p.Message message) {
                    if (message.type().equals(DiscoveryService.REQUEST)) {
                        network.broadcast(network.newMessage(DiscoveryService.ANSWER,
                                HostilePeerTest.answer(1, List.of(nobody.localAddress()))), message.sender());
                    }
                }
            });
            Network node = cluster.start(settings("kcp.secure", "true", "discovery.seeds", plainAnswerer.localAddress().toString()));
            DiscoveryService discovery = node.plugin(DiscoveryService.class).orElseThrow();
            Await.until("the answer refused", () -> discovery.refusedNodes() > 0);
            assertEquals(Set.of(plainAnswerer.localAddress()), routeTable(node), "an address without a record is nobody's");
        }
    }

    @Test
    void settingsAreCheckedWithTheKeyInTheMessage() {
        for (String[] bad : List.of(
                new String[] {"discovery.interval", "often"},
                new String[] {"discovery.fanout", "0"},
                new String[] {"discovery.max-peers", "-1"},
                new String[] {"discovery.seeds", "127.0.0.1"},
                new String[] {"discovery.seeds", "abcd@127.0.0.1:7000"},
                new String[] {"discovery.max-per-subnet", "0"},
                new String[] {"discovery.request-interval", "soon"},
                new String[] {"discovery.unreachable-after", "5ms"},
                new String[] {"discovery.sample", "3"})) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Network.create(settings(bad)).close());
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
    }

    @Test
    void aDhtOnTheNetworkFillsTablesThatPeerExchangeAloneCannot() {
        try (Cluster cluster = new Cluster()) {
            // The only seed runs the DHT but no discovery: it answers no discovery request, so peer
            // exchange alone never gets past it. The DHT's random walks name the others.
            Network seed = cluster.start(settings("plugins", "dht"));
            Map<String, String> joining = settings("plugins", "discovery,dht", "discovery.seeds", seed.localAddress().toString(),
                    "discovery.max-peers", "5");
            for (int i = 0; i < 8; i++) {
                cluster.start(joining);
            }
            List<Network> nodes = cluster.nodes().subList(1, 9);
            Await.until("every discovery table to fill to 5", () -> nodes.stream().allMatch(n -> routeTable(n).size() == 5),
                    () -> "tables " + nodes.stream().map(n -> routeTable(n).size()).collect(Collectors.toList()));
            // Not every node need have walked: a walker's requests announce it to the nodes it found,
            // which may fill a table by themselves. Someone walked, or nothing could have started.
            assertTrue(nodes.stream().mapToLong(n -> n.plugin(DiscoveryService.class).orElseThrow().sampledNodes()).sum() > 0);
        }
    }
}
