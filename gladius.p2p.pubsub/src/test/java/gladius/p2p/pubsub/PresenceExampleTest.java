package gladius.p2p.pubsub;

import gladius.p2p.Network;
import gladius.p2p.NodeKey;
import gladius.p2p.Plugin;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The plugin that docs/PLUGINS.md ("Using topics from a plugin") shows, compiled and run on three secure nodes. */
class PresenceExampleTest {

    /** Announces this node's key on a topic every interval, and keeps when it last heard each other node's. */
    static final class PresencePlugin implements Plugin {
        private static final System.Logger LOG = System.getLogger(PresencePlugin.class.getName());
        private static final String TOPIC = "presence/v1";
        private final Map<String, Instant> lastSeen = new ConcurrentHashMap<>();   // read by other threads
        private final Duration interval;
        private Network network;
        private PubSub pubsub;
        private NodeKey key;
        private PubSub.Subscription subscription;

        PresencePlugin(Duration interval) {
            this.interval = interval;
        }

        Set<String> seen() {
            return Set.copyOf(lastSeen.keySet());
        }

        @Override
        public void startup(Network network) {
            this.network = network;
            pubsub = network.plugin(PubSub.class).orElse(null);
            key = network.networkState().key().orElse(null);
            if (pubsub == null || key == null) {
                LOG.log(Level.WARNING, "presence needs the pubsub plugin (gladius.p2p.pubsub) and a network with keys");
                return;
            }
            // A key and a time (the same bytes twice would be one message). Garbage is rejected before it is
            // delivered or passed on, and counted against the peer that sent it.
            pubsub.validator(TOPIC, m -> m.data().length == 40 ? Validator.Verdict.ACCEPT : Validator.Verdict.REJECT);
            // The handler runs on pubsub's thread: it writes only the concurrent map.
            subscription = pubsub.subscribe(TOPIC, m -> lastSeen.put(HexFormat.of().formatHex(m.data(), 0, 32),
                    network.clock().instant()));
            network.schedule(this, interval, this::announce);
        }

        private void announce() {
            byte[] announcement = ByteBuffer.allocate(40).put(key.bytes()).putLong(network.clock().millis()).array();
            pubsub.publish(TOPIC, announcement);   // to every subscriber; fails (its future) once the network closes
            network.schedule(this, interval, this::announce);
        }

        @Override
        public void close() {
            if (subscription != null) {
                subscription.close();             // leaves the topic's mesh (harmless if the network is closing)
            }
        }
    }

    @Test
    void everyNodeHearsEveryOtherNodesPresenceOverATopic() {
        try (Cluster cluster = new Cluster(PubSubTest.settings("kcp.secure", "true"))) {
            List<PresencePlugin> plugins = List.of(new PresencePlugin(Duration.ofMillis(200)), new PresencePlugin(Duration.ofMillis(200)),
                    new PresencePlugin(Duration.ofMillis(200)));
            Network first = cluster.startOn(Cluster.LOOPBACK, Map.of(), plugins.get(0));
            Network second = cluster.startOn(Cluster.LOOPBACK, Map.of(), plugins.get(1));
            Network third = cluster.startOn(Cluster.LOOPBACK, Map.of(), plugins.get(2));
            second.add(first.localAddress());
            third.add(second.localAddress()); // the third hears the first only through the second
            Set<String> keys = cluster.nodes().stream().map(n -> n.networkState().key().orElseThrow().toString()).collect(Collectors.toSet());
            Await.until("every node to hear all three keys (its own too: a subscriber gets its own messages)",
                    () -> plugins.stream().allMatch(p -> p.seen().equals(keys)),
                    () -> plugins.stream().map(p -> p.seen().size() + "").collect(Collectors.joining(" ")));
        }
    }
}
