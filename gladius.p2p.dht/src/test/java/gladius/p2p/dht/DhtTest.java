package gladius.p2p.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DHT plugin on real networks on 127.0.0.1, found through Network.create. */
class DhtTest {

    static Map<String, String> settings(String... keyValues) {
        Map<String, String> settings = new HashMap<>(Map.of("provider", "kcp", "plugins", "dht"));
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        return settings;
    }

    static DhtService dht(Network network) {
        return network.plugin(DhtService.class).orElseThrow();
    }

    static <T> T get(CompletableFuture<T> future) {
        try {
            return future.get(Await.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the DHT call did not complete", e);
        }
    }

    /** Node 0 with no seeds, then n - 1 nodes that join through it, until each knows {@code known} nodes. */
    static List<Network> joined(Cluster cluster, int n, int known, String... keyValues) {
        Network first = cluster.start(settings(keyValues));
        Map<String, String> seeded = settings(keyValues);
        seeded.put("dht.seeds", first.localAddress().toString());
        for (int i = 1; i < n; i++) {
            cluster.start(seeded);
        }
        List<Network> nodes = cluster.nodes();
        Await.until("every node's DHT to know " + known + " others", () -> nodes.stream().allMatch(x -> dht(x).knownNodes() >= known),
                () -> "known " + nodes.stream().map(x -> dht(x).knownNodes()).collect(Collectors.toList()));
        return nodes;
    }

    @Test
    void tenSecureNodesReadEveryRecordAndFindEveryNodeByKey() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = joined(cluster, 10, 9, "kcp.secure", "true");
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                DhtService.Stored stored = get(dht(nodes.get(i)).put("name", ("value " + i).getBytes(StandardCharsets.UTF_8)));
                assertEquals(9, stored.nodes(), "the nine others are the closest nodes there are");
                assertEquals(HexFormat.of().formatHex(dht(nodes.get(i)).writer()) + "/name", stored.record().path());
                paths.add(stored.record().path());
            }
            for (Network reader : nodes) {
                for (int i = 0; i < nodes.size(); i++) {
                    DhtRecord record = get(dht(reader).get(paths.get(i))).orElseThrow(() -> new AssertionError("no record"));
                    assertArrayEquals(("value " + i).getBytes(StandardCharsets.UTF_8), record.value());
                }
                for (Network other : nodes) {
                    if (other != reader) {
                        NodeKey key = other.networkState().key().orElseThrow();
                        assertEquals(Optional.of(other.localAddress()), get(dht(reader).find(key)), "found " + key.shortText());
                    }
                }
            }
            // A newer value replaces the old one everywhere.
            get(dht(nodes.get(3)).put("name", "newer".getBytes(StandardCharsets.UTF_8)));
            for (Network reader : nodes) {
                assertArrayEquals("newer".getBytes(StandardCharsets.UTF_8), get(dht(reader).get(paths.get(3))).orElseThrow().value());
            }
        }
    }

    @Test
    void aPlainNetworkStoresRecordsAndProviders() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = joined(cluster, 6, 5);
            String path = get(dht(nodes.get(2)).put("p", new byte[] {1, 2, 3})).record().path();
            assertArrayEquals(new byte[] {1, 2, 3}, get(dht(nodes.get(5)).get(path)).orElseThrow().value());
            byte[] content = "some content".getBytes(StandardCharsets.UTF_8);
            assertTrue(get(dht(nodes.get(1)).provide(content)) > 0);
            assertTrue(get(dht(nodes.get(4)).provide(content)) > 0);
            List<NodeAddress> providers = get(dht(nodes.get(0)).providers(content));
            assertEquals(List.of(nodes.get(1).localAddress(), nodes.get(4).localAddress()).stream().sorted().toList(),
                    providers.stream().sorted().toList());
            assertThrows(IllegalStateException.class, () -> dht(nodes.get(0)).find(NodeKey.of(new byte[32])),
                    "a network without keys finds no node by key");
            String missing = HexFormat.of().formatHex(new byte[32]) + "/nothing";
            assertEquals(Optional.empty(), get(dht(nodes.get(0)).get(missing)));
        }
    }

    @Test
    void garbageFromAPeerIsDroppedAndCounted() {
        try (Cluster cluster = new Cluster()) {
            Network node = cluster.start(settings());
            Network hostile = cluster.start(settings("plugins", "none"));
            byte[][] garbage = {{}, {0}, {6, 0, 0, 0, 1, (byte) 0xff, (byte) 0xff}, {1, 0, 0, 0, 1, 2}, new byte[70_000]};
            for (byte[] body : garbage) {
                hostile.broadcast(hostile.newMessage(DhtService.TYPE, body), node.localAddress());
            }
            Await.until("the node to count the five", () -> dht(node).stats().malformed() == 5,
                    () -> dht(node).stats().toString());
            // An answer to nothing asked is dropped too.
            hostile.broadcast(hostile.newMessage(DhtService.TYPE, new byte[] {7, 0, 0, 0, 9, 0}), node.localAddress());
            Await.until("the node to count the unsolicited answer", () -> dht(node).stats().unsolicited() == 1,
                    () -> dht(node).stats().toString());
            assertEquals(0, node.networkState().pluginFailures());
        }
    }

    @Test
    void badSettingsNameTheKey() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Network.create(settings("dht.k", "0")))
                .getMessage().contains("dht.k"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Network.create(settings("dht.republish-interval", "24h"))).getMessage().contains("dht.republish-interval"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Network.create(settings("dht.key", "abcd")))
                .getMessage().contains("dht.key"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Network.create(settings("dht.nonsense", "1")))
                .getMessage().contains("dht.nonsense"));
    }

    @Test
    void theWriterKeyIsTheNodeKeysSecretWhenOneIsGiven() {
        String secret = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"; // RFC 8032 test 1
        try (Network network = Network.create(settings("kcp.secure", "true", "kcp.node-key", secret))) {
            network.listen(new NodeAddress("127.0.0.1", 0));
            assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                    HexFormat.of().formatHex(dht(network).writer()));
        }
    }

    @Test
    void aRestartedNodeKeepsItsRecordsAndRejoinsWithoutItsSeeds(@TempDir Path dir) {
        String key = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"; // RFC 8032 test 2's secret
        String data = dir.resolve("dht").toString();
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = joined(cluster, 5, 4, "kcp.secure", "true");
            Network seed = nodes.get(0);
            Map<String, String> restartable = settings("kcp.secure", "true", "kcp.node-key", key, "dht.data-dir", data,
                    "dht.seeds", seed.localAddress().toString());
            Network node = cluster.start(restartable);
            Await.until("the new node to join", () -> dht(node).knownNodes() == 5);
            String path = get(dht(nodes.get(1)).put("kept", new byte[] {7})).record().path();
            Await.until("the new node to hold the record", () -> dht(node).stats().records() >= 1);
            NodeKey nodeKey = node.networkState().key().orElseThrow();
            node.close();
            seed.close(); // its only seed is gone: it must rejoin through the nodes it knew

            restartable.remove("dht.seeds");
            Network again = cluster.start(restartable);
            assertEquals(nodeKey, again.networkState().key().orElseThrow());
            assertTrue(dht(again).stats().records() >= 1, "the record was read back: " + dht(again).stats());
            CompletableFuture<Integer> rejoined = dht(again).joined();
            Await.until("the restarted node to rejoin", Duration.ofSeconds(20), rejoined::isDone,
                    () -> dht(again).stats() + " " + again.networkState().peers().size() + " peers");
            assertTrue(get(rejoined) >= 3, "it rejoined through the nodes it knew");
            assertArrayEquals(new byte[] {7}, get(dht(again).get(path)).orElseThrow().value());
            Await.until("another node to find it at its new address",
                    () -> get(dht(nodes.get(2)).find(nodeKey)).equals(Optional.of(again.localAddress())));
            assertEquals(0, dht(again).stats().dataDirFailures());
        }
    }

    @Test
    void aDataDirThatCannotBeMadeIsTheUsersToFix(@TempDir Path dir) throws java.io.IOException {
        Path file = java.nio.file.Files.writeString(dir.resolve("a-file"), "not a directory");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.create(settings("dht.data-dir", file.resolve("dht").toString())));
        assertTrue(e.getMessage().contains("dht.data-dir"), e.getMessage());
    }

    @Test
    void anEntrySignedTheWayEthstateSignsIsARecordEveryNodeReads() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = joined(cluster, 4, 3, "plugins", "dht,ethstate");
            gladius.p2p.ethstate.EthState ethstate = nodes.get(0).plugin(gladius.p2p.ethstate.EthState.class).orElseThrow();
            gladius.p2p.ethstate.Entry entry = ethstate.put("profile", "alice".getBytes(StandardCharsets.UTF_8));
            byte[] address = HexFormat.of().parseHex(entry.address().substring(2));
            DhtService.Stored stored = get(dht(nodes.get(1)).putSigned(address, entry.key(), entry.value(), entry.timestampMillis(),
                    entry.signature()));
            assertTrue(stored.record().ethereum());
            assertEquals(entry.address().substring(2).toLowerCase(java.util.Locale.ROOT) + "/profile", stored.record().path());
            assertEquals(3, stored.nodes());
            for (Network reader : nodes) {
                DhtRecord record = get(dht(reader).get("0x" + stored.record().path())).orElseThrow();
                assertArrayEquals("alice".getBytes(StandardCharsets.UTF_8), record.value());
                assertEquals(entry.timestampMillis(), record.sequence());
            }
            byte[] forged = entry.signature();
            forged[10] ^= 1;
            assertThrows(IllegalArgumentException.class, () -> dht(nodes.get(1)).putSigned(address, entry.key(), entry.value(),
                    entry.timestampMillis(), forged), "a signature that does not check out is refused at once");
            assertThrows(IllegalArgumentException.class, () -> dht(nodes.get(1)).putSigned(address, entry.key(),
                    "mallory".getBytes(StandardCharsets.UTF_8), entry.timestampMillis(), entry.signature()), "another value");
        }
    }

    @Test
    void aCallMadeBeforeTheJoinEndsWaitsForItInsteadOfAnsweringFromAnEmptyTable() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = joined(cluster, 3, 2);
            String path = get(dht(nodes.get(1)).put("early", new byte[] {7})).record().path();
            Network late = cluster.start(settings("dht.seeds", nodes.get(0).localAddress().toString()));
            // Asked at once, while its first FIND_NODE is still out: it knows no node yet.
            CompletableFuture<Optional<DhtRecord>> read = dht(late).get(path);
            assertArrayEquals(new byte[] {7}, get(read).orElseThrow(() -> new AssertionError("answered before joining")).value());
            assertTrue(get(dht(late).put("mine", new byte[] {8})).nodes() > 0, "a put stores on the nodes the join found");
        }
    }

    @Test
    void aCallStillWaitingWhenTheNetworkClosesFailsInsteadOfWaitingForever() throws Exception {
        try (Cluster cluster = new Cluster();
                java.net.DatagramSocket silent = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            Network node = cluster.start(settings("dht.seeds", "127.0.0.1:" + silent.getLocalPort(), "dht.request-timeout", "1m"));
            // Its only seed takes every packet and never answers: the join, and any call waiting for it, last a minute.
            CompletableFuture<Optional<DhtRecord>> waiting = dht(node).get(HexFormat.of().formatHex(new byte[32]) + "/x");
            CompletableFuture<Integer> joined = dht(node).joined();
            node.close();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> waiting.get(Await.TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
            assertThrows(java.util.concurrent.ExecutionException.class, () -> joined.get(Await.TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        }
    }
}
