package gladius.p2p.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.pubsub.PubSub;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code gladius pub} and {@code gladius sub} against running pubsub nodes in this JVM, each command a node of its own. */
class PubSubCommandTest {

    private static List<?> subscribers(Network node, String topic) {
        try {
            return node.plugin(PubSub.class).orElseThrow().subscribers(topic).get(Await.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void subPrintsEachMessageThatPubSendsThroughAnotherNodeOneLineEach() throws Exception {
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "plugins", "pubsub", "pubsub.topics", "chat"))) {
            Network first = cluster.start(Map.of());
            Network second = cluster.start(Map.of());
            second.add(first.localAddress());
            Await.until("the two nodes to know each other's topic", () -> subscribers(first, "chat").size() == 1
                    && subscribers(second, "chat").size() == 1);

            // sub joins through the first node, pub through the second: the message crosses the mesh.
            CompletableFuture<Gladius.Result> sub = CompletableFuture.supplyAsync(
                    () -> Gladius.run("sub", "--count", "2", "--for", "60s", first.localAddress().toString(), "chat"));
            Await.until("the first node to know sub subscribes", () -> subscribers(first, "chat").size() == 2);
            Await.until("sub's mesh to form", () -> first.plugin(PubSub.class).orElseThrow().stats().meshPeers() == 2);

            Gladius.Result pub = Gladius.run("pub", second.localAddress().toString(), "chat", "hello there");
            assertEquals(0, pub.exit(), pub.err());
            assertTrue(pub.out().matches("[0-9a-f]{64} to \\d+ peers\\s*"), pub.out());
            Gladius.Result escape = Gladius.run("pub", second.localAddress().toString(), "chat", "two\nlines\u001b[2J");
            assertEquals(0, escape.exit(), escape.err());

            Gladius.Result got = sub.get(Await.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(0, got.exit(), got.err());
            assertEquals(List.of("hello there", "two\\u000alines\\u001b[2J"), got.out().lines().toList(),
                    "each message one line, nothing a terminal would act on");

            Gladius.Result nobody = Gladius.run("pub", "--timeout", "1s", first.localAddress().toString(), "nobody-listens", "x");
            assertEquals(1, nobody.exit());
            assertTrue(nobody.err().contains("no subscriber of nobody-listens"), nobody.err());

            Gladius.Result badTopic = Gladius.run("pub", first.localAddress().toString(), "", "x");
            assertEquals(2, badTopic.exit());
            assertTrue(badTopic.err().contains("TOPIC"), badTopic.err());
        }
    }
}
