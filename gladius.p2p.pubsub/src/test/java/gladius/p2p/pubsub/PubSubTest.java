package gladius.p2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The pubsub plugin on real networks on 127.0.0.1, found through Network.create. */
class PubSubTest {

    private static final String TOPIC = "blocks";

    static Map<String, String> settings(String... keyValues) {
        // A short heartbeat: meshes form in a fraction of a second, so the tests wait less.
        Map<String, String> settings = new HashMap<>(Map.of("provider", "kcp", "plugins", "pubsub", "pubsub.heartbeat", "100ms"));
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        return settings;
    }

    static PubSub pubsub(Network network) {
        return network.plugin(PubSub.class).orElseThrow();
    }

    static <T> T get(CompletableFuture<T> future) {
        try {
            return future.get(Await.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the pubsub call did not complete", e);
        }
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What one node's handler got: each message's text, in order. */
    static final class Inbox {
        final List<String> texts = new CopyOnWriteArrayList<>();
        final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

        void take(Delivery delivery) {
            deliveries.add(delivery);
            texts.add(new String(delivery.data(), StandardCharsets.UTF_8));
        }
    }

    /** n nodes in a line, each adding the one before it only (so half of each session's ends hear of it from pubsub alone). */
    static List<Network> line(Cluster cluster, int n, String... keyValues) {
        List<Network> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Network node = cluster.start(settings(keyValues));
            if (i > 0) {
                node.add(nodes.get(i - 1).localAddress());
            }
            nodes.add(node);
        }
        return nodes;
    }

    /** Waits until each subscribed node has each subscribed neighbour in its mesh. */
    static void meshesFormed(List<Network> nodes, Set<Integer> subscribed) {
        Await.until("the meshes along the line", () -> IntStream.range(0, nodes.size()).filter(subscribed::contains).allMatch(i -> {
            long neighbours = IntStream.of(i - 1, i + 1).filter(subscribed::contains).count();
            return get(pubsub(nodes.get(i)).mesh(TOPIC)).size() == neighbours;
        }), () -> nodes.stream().map(n -> get(pubsub(n).mesh(TOPIC)).toString()).collect(Collectors.joining(" ")));
    }

    @Test
    void everySubscriberGetsEveryMessageOnceAcrossHopsAndOthersGetNone() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = line(cluster, 5);
            Set<Integer> subscribed = Set.of(0, 1, 2, 3); // node 4 passes nothing on: it is no subscriber
            Map<Integer, Inbox> inboxes = new ConcurrentHashMap<>();
            for (int i : subscribed) {
                Inbox inbox = new Inbox();
                inboxes.put(i, inbox);
                pubsub(nodes.get(i)).subscribe(TOPIC, inbox::take);
            }
            meshesFormed(nodes, subscribed);
            List<String> sent = new ArrayList<>();
            for (int m = 0; m < 20; m++) {
                String message = "message " + m;
                sent.add(message);
                // From both ends, the middle, and the node that does not subscribe (through its fanout).
                PubSub.Published published = get(pubsub(nodes.get(m % 5)).publish(TOPIC, text(message)));
                assertEquals(32, published.id().length);
                assertTrue(published.peers() >= 1, "handed to nobody: " + message);
            }
            Await.until("every subscriber to get all 20", () -> inboxes.values().stream().allMatch(in -> in.texts.size() >= 20),
                    () -> inboxes.toString());
            for (int i : subscribed) {
                assertEquals(Set.copyOf(sent), Set.copyOf(inboxes.get(i).texts), "node " + i);
                assertEquals(20, inboxes.get(i).texts.size(), "node " + i + " got a message twice: " + inboxes.get(i).texts);
            }
            Await.until("node 0's figures", () -> pubsub(nodes.get(0)).stats().delivered() == 20);
            assertEquals(Set.of(TOPIC), pubsub(nodes.get(0)).topics());
            assertEquals(0, pubsub(nodes.get(4)).stats().delivered(), "a node that does not subscribe gets nothing");
            assertTrue(pubsub(nodes.get(1)).stats().forwarded() > 0, "the line's inner nodes passed messages on");
            assertEquals(0, nodes.stream().mapToLong(n -> pubsub(n).stats().malformed()).sum());
        }
    }

    @Test
    void inASecureNetworkPeersAreTheirKeysAndEachDeliverySaysWhichPeerPassedItOn() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = line(cluster, 3, "kcp.secure", "true");
            Inbox last = new Inbox();
            pubsub(nodes.get(0)).subscribe(TOPIC, m -> {});
            pubsub(nodes.get(1)).subscribe(TOPIC, m -> {});
            pubsub(nodes.get(2)).subscribe(TOPIC, last::take);
            meshesFormed(nodes, Set.of(0, 1, 2));
            get(pubsub(nodes.get(0)).publish(TOPIC, text("signed by nobody yet")));
            Await.until("the far end to get it", () -> last.deliveries.size() == 1);
            Delivery delivery = last.deliveries.get(0);
            assertEquals(nodes.get(1).localAddress(), delivery.from(), "the middle node passed it on");
            assertEquals(nodes.get(1).networkState().key(), nodes.get(2).peerState(delivery.from()).flatMap(PeerState::key),
                    "and its session proved the middle node's key");
            assertArrayEquals(HexFormat.of().parseHex(sha256Hex(TOPIC, "signed by nobody yet")), delivery.id());
        }
    }

    private static String sha256Hex(String topic, String data) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(text(topic));
            sha.update((byte) 0);
            return HexFormat.of().formatHex(sha.digest(text(data)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRejectedMessageGoesNoFurtherAndAThrowingHandlerHarmsNoOther() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = line(cluster, 3);
            Inbox middle = new Inbox();
            Inbox last = new Inbox();
            pubsub(nodes.get(0)).subscribe(TOPIC, m -> {});
            pubsub(nodes.get(1)).subscribe(TOPIC, m -> {
                throw new IllegalStateException("a handler's bug, on purpose");
            });
            pubsub(nodes.get(1)).subscribe(TOPIC, middle::take);
            pubsub(nodes.get(2)).subscribe(TOPIC, last::take);
            pubsub(nodes.get(1)).validator(TOPIC, m -> new String(m.data(), StandardCharsets.UTF_8).startsWith("bad")
                    ? Validator.Verdict.REJECT : Validator.Verdict.ACCEPT);
            meshesFormed(nodes, Set.of(0, 1, 2));
            get(pubsub(nodes.get(0)).publish(TOPIC, text("bad one")));
            get(pubsub(nodes.get(0)).publish(TOPIC, text("good one")));
            Await.until("the good one to reach the far end", () -> last.texts.contains("good one"));
            assertEquals(List.of("good one"), middle.texts, "the rejected one was not delivered");
            assertEquals(List.of("good one"), last.texts, "nor passed on: the far end has no other way to it");
            // The figures are published once the node's call ends, which may be after the far end got the message.
            Await.until("the throwing handler to be counted", () -> pubsub(nodes.get(1)).stats().handlerFailures() == 1);
            assertEquals(1, pubsub(nodes.get(1)).stats().rejected());
        }
    }

    @Test
    void aClosedSubscriptionGetsNothingMoreAndItsPeersLearnItLeft() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = line(cluster, 2);
            Inbox inbox = new Inbox();
            PubSub.Subscription subscription = pubsub(nodes.get(1)).subscribe(TOPIC, inbox::take);
            Await.until("node 0 to learn that node 1 subscribes",
                    () -> get(pubsub(nodes.get(0)).subscribers(TOPIC)).equals(List.of(nodes.get(1).localAddress())));
            get(pubsub(nodes.get(0)).publish(TOPIC, text("before")));
            Await.until("the first message", () -> inbox.texts.size() == 1);
            subscription.close();
            subscription.close(); // twice is harmless
            Await.until("node 0 to learn that node 1 left", () -> get(pubsub(nodes.get(0)).subscribers(TOPIC)).isEmpty());
            assertEquals(0, get(pubsub(nodes.get(0)).publish(TOPIC, text("after"))).peers(), "nobody to hand it to");
            assertEquals(Set.of(), pubsub(nodes.get(1)).topics());
            assertEquals(List.of("before"), inbox.texts);
        }
    }

    @Test
    void theSameDataPublishedTwiceIsOneMessage() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = line(cluster, 2);
            Inbox inbox = new Inbox();
            pubsub(nodes.get(1)).subscribe(TOPIC, inbox::take);
            Await.until("node 0 to learn that node 1 subscribes", () -> !get(pubsub(nodes.get(0)).subscribers(TOPIC)).isEmpty());
            PubSub.Published first = get(pubsub(nodes.get(0)).publish(TOPIC, text("same")));
            PubSub.Published second = get(pubsub(nodes.get(0)).publish(TOPIC, text("same")));
            assertArrayEquals(first.id(), second.id());
            assertEquals(1, first.peers());
            assertEquals(0, second.peers(), "seen already: not sent again");
            Await.until("the message", () -> inbox.texts.size() == 1);
        }
    }

    @Test
    void withAuthorSequenceIdsInASecureNetworkTheSameDataTwiceIsTwoMessages() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = line(cluster, 2, "kcp.secure", "true", "pubsub.message-id", "author-sequence");
            Inbox inbox = new Inbox();
            pubsub(nodes.get(1)).subscribe(TOPIC, inbox::take);
            Await.until("node 0 to learn that node 1 subscribes", () -> !get(pubsub(nodes.get(0)).subscribers(TOPIC)).isEmpty());
            PubSub.Published first = get(pubsub(nodes.get(0)).publish(TOPIC, text("tick")));
            PubSub.Published second = get(pubsub(nodes.get(0)).publish(TOPIC, text("tick")));
            assertEquals(1, second.peers(), "a message of its own");
            assertTrue(!java.util.Arrays.equals(first.id(), second.id()));
            Await.until("both", () -> inbox.texts.equals(List.of("tick", "tick")));
        }
    }

    @Test
    void garbageFromAPeerIsDroppedAndCountedAndTheNodeGoesOn() {
        try (Cluster cluster = new Cluster()) {
            List<Network> nodes = line(cluster, 2);
            Inbox inbox = new Inbox();
            pubsub(nodes.get(1)).subscribe(TOPIC, inbox::take);
            // A peer without the plugin, sending what no pubsub node would: bad frames, bad lengths, nothing.
            Network hostile = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            NodeAddress target = nodes.get(1).localAddress();
            List<byte[]> garbage = List.of(new byte[0], new byte[] {1}, new byte[] {99, 0, 0, 0, 0},
                    new byte[] {3, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1}, new byte[] {4, 0, 0, 0, 2, 1, (byte) 0xff});
            for (byte[] body : garbage) {
                hostile.broadcast(hostile.newMessage(PubSub.TYPE, body), target);
            }
            Await.until("every bad message to be counted", () -> pubsub(nodes.get(1)).stats().malformed() == garbage.size(),
                    () -> pubsub(nodes.get(1)).stats().toString());
            Await.until("node 0 to learn that node 1 subscribes", () -> !get(pubsub(nodes.get(0)).subscribers(TOPIC)).isEmpty());
            get(pubsub(nodes.get(0)).publish(TOPIC, text("still here")));
            Await.until("a good message after the garbage", () -> inbox.texts.equals(List.of("still here")));
        }
    }

    @Test
    void badArgumentsAndSettingsAreNamed() {
        try (Cluster cluster = new Cluster()) {
            PubSub pubsub = pubsub(cluster.start(settings()));
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> pubsub.subscribe("", m -> {}));
            assertTrue(empty.getMessage().startsWith("topic"), empty.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pubsub.publish("x".repeat(256), new byte[1]));
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> pubsub.publish(TOPIC, new byte[1 << 20]));
            assertTrue(big.getMessage().contains("pubsub.max-message-bytes"), big.getMessage());
            assertThrows(NullPointerException.class, () -> pubsub.subscribe(TOPIC, null));
        }
        for (String[] bad : new String[][] {{"pubsub.d", "13"}, {"pubsub.lazy-links", "sometimes"}, {"pubsub.max-message-bytes", "2000000"},
                {"pubsub.topics", "a," + "x".repeat(256)}, {"pubsub.degree", "6"}, {"pubsub.message-id", "author-sequence"},
                {"pubsub.message-id", "random"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Network.create(settings(bad)));
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
    }

    @Test
    void aSubscriptionMadeBeforeTheNetworkListensTakesEffectWhenItStarts() {
        try (Cluster cluster = new Cluster()) {
            Network publisher = cluster.start(settings());
            Network early = Network.create(settings());
            try {
                Inbox inbox = new Inbox();
                pubsub(early).subscribe(TOPIC, inbox::take);
                pubsub(early).subscribe("closed at once", m -> {}).close();
                early.listen(Cluster.LOOPBACK);
                assertEquals(Set.of(TOPIC), pubsub(early).topics(), "subscribed at startup; the closed one never was");
                early.add(publisher.localAddress());
                Await.until("the publisher to learn of the early subscriber", () -> !get(pubsub(publisher).subscribers(TOPIC)).isEmpty());
                get(pubsub(publisher).publish(TOPIC, text("welcome")));
                Await.until("the message", () -> inbox.texts.equals(List.of("welcome")));
            } finally {
                early.close();
            }
        }
    }

    @Test
    void callsAfterTheNetworkClosedFailAndNothingIsLeftWaiting() {
        Network network = Network.create(settings());
        network.listen(Cluster.LOOPBACK);
        PubSub pubsub = pubsub(network);
        CompletableFuture<List<NodeAddress>> asked = pubsub.subscribers(TOPIC);
        network.close();
        assertTrue(asked.isDone(), "answered, or failed by the close: never left waiting");
        ExecutionException late = assertThrows(ExecutionException.class, () -> pubsub.publish(TOPIC, text("late")).get());
        assertTrue(late.getCause() instanceof IllegalStateException, late.toString());
        assertThrows(IllegalStateException.class, () -> pubsub.subscribe(TOPIC, m -> {}));
        Network idle = Network.create(settings());
        try {
            assertThrows(IllegalStateException.class, () -> pubsub(idle).publish(TOPIC, text("early")), "not listening yet");
        } finally {
            idle.close();
        }
    }

    @Test
    void topicsInTheSettingsAreSubscribedFromTheStartAndPassMessagesOn() {
        try (Cluster cluster = new Cluster()) {
            // The middle node runs no application: it takes part in the topic because its settings say so.
            Network first = cluster.start(settings());
            Network middle = cluster.start(settings("pubsub.topics", TOPIC + ",other"));
            Network last = cluster.start(settings());
            middle.add(first.localAddress());
            last.add(middle.localAddress());
            assertEquals(Set.of(TOPIC, "other"), pubsub(middle).topics());
            Inbox inbox = new Inbox();
            pubsub(last).subscribe(TOPIC, inbox::take);
            pubsub(first).subscribe(TOPIC, m -> {});
            meshesFormed(List.of(first, middle, last), Set.of(0, 1, 2));
            get(pubsub(first).publish(TOPIC, text("through the middle")));
            Await.until("the far end to get it", () -> inbox.texts.equals(List.of("through the middle")));
            Await.until("the middle node's figures", () -> pubsub(middle).stats().delivered() == 1);
        }
    }
}
