package gladius.p2p.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The latency audit on real networks on 127.0.0.1, found through Network.create. */
class LatencyAuditTest {

    private static Map<String, String> settings(String... keyValues) {
        Map<String, String> settings = new HashMap<>(Map.of("provider", "kcp", "plugins", "latency"));
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        return settings;
    }

    private static LatencyAudit audit(Network network) {
        return network.plugin(LatencyAudit.class).orElseThrow();
    }

    private static PeerLatency figures(Network network, NodeAddress peer) {
        return audit(network).peer(peer).orElseThrow(() -> new AssertionError("not audited: " + peer));
    }

    @Test
    void acrossALossyLinkTheMedianIsTheConfiguredDelayAndTheLossTheConfiguredLoss() {
        double loss = 0.10;
        int probes = 300;
        try (Cluster cluster = new Cluster()) {
            // 20 ms each way; a probe whose datagram is lost comes back after a resend (85 ms or more; answered
            // ones take 41-75 ms here), so the 80 ms timeout separates the two.
            // The interval is longer than a resend, so a lost probe never holds the next one up behind it in the
            // stream: for that the timeout's floor is KCP's nodelay 30 ms, not the default 100 ms (the resend then
            // follows the measured round trip, about 65 ms here).
            Network a = cluster.start(settings("latency.interval", "70ms", "latency.window", Integer.toString(probes),
                    "latency.timeout", "80ms", "kcp.min-rto", "30ms"));
            Network b = cluster.start(settings("kcp.min-rto", "30ms"));
            LinkConditions delayed = LinkConditions.PERFECT.withDelay(Duration.ofMillis(20), Duration.ZERO);
            try (LossyLink link = LossyLink.between(a.localAddress(), b.localAddress(),
                    delayed.withDrop(loss).withSeed(42), delayed)) {
                NodeAddress bOverTheLink = link.standInFor(b.localAddress());
                a.add(bOverTheLink);
                Await.until(probes + " probes decided", () -> audit(a).peer(bOverTheLink)
                        .map(f -> f.probesAnswered() + f.probesLost() >= probes).orElse(false));

                // Sanity bounds with room for a loaded two-core machine, where dispatch adds to every round trip
                // and a late answer counts as lost (measured here: median 43 ms, loss 9.7-11.7 %, RTT within 9 ms).
                PeerLatency f = figures(a, bOverTheLink);
                double medianMs = f.median().toNanos() / 1e6;
                assertTrue(medianMs >= 40 && medianMs <= 40 * 1.5, "median between 40 ms and 60 ms: " + f);
                assertTrue(Math.abs(f.lossRatio() - loss) <= 0.08, "loss within 8 points of " + loss + ": " + f);
                assertTrue(f.min().compareTo(Duration.ofMillis(40)) >= 0, "nothing beats the link's delay: " + f);
                assertTrue(f.ewma().compareTo(f.min()) >= 0 && f.ewma().compareTo(f.max()) <= 0, f.toString());

                Duration transport = a.networkState().peer(bOverTheLink).map(PeerState::smoothedRtt).orElseThrow();
                assertTrue(Math.abs(transport.toMillis() - medianMs) <= 25,
                        "the audit agrees with the transport's smoothed RTT " + transport.toMillis() + " ms: " + f);
            }
        }
    }

    /** Answers pings by hand (the documented wire format) until told to stop. */
    private static final class Answerer implements Plugin {
        private volatile Network network;
        private volatile boolean answering = true;

        @Override
        public void startup(Network network) {
            this.network = network;
        }

        @Override
        public void newMessage(Message message) {
            if (answering && message.type().equals("latency/ping")) {
                network.broadcast(network.newMessage("latency/pong", message.bodyBytes()), message.sender());
            }
        }
    }

    @Test
    void aPeerThatStopsAnsweringShowsRisingLossAndIsDeletedWithMaxLoss() {
        try (Cluster cluster = new Cluster()) {
            // 50 ms between probes, so each loss ratio on the way up stays visible for 50 ms to the polling below.
            Network a = cluster.start(settings("latency.interval", "50ms", "latency.window", "20", "latency.timeout", "100ms",
                    "latency.max-loss", "0.5", "latency.min-samples", "10"));
            Network b = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            Answerer answerer = new Answerer();
            b.registerPlugin(answerer);
            a.add(b.localAddress());
            Await.until("ten answered probes", () -> audit(a).peer(b.localAddress()).map(f -> f.probesAnswered() >= 10).orElse(false));
            assertEquals(0.0, figures(a, b.localAddress()).lossRatio());

            answerer.answering = false;
            List<Double> seen = new ArrayList<>();
            // The audit deletes the peer, then records the eviction: once the record is there, so is the deletion.
            Await.until("b's eviction", () -> {
                audit(a).peer(b.localAddress()).ifPresent(f -> seen.add(f.lossRatio()));
                return !audit(a).evictions().isEmpty();
            });
            assertFalse(a.networkState().peer(b.localAddress()).map(PeerState::inRouteTable).orElse(false), "an evicted peer is deleted");
            assertTrue(seen.stream().anyMatch(r -> r > 0 && r <= 0.5), "loss rose before the deletion: " + seen);
            Eviction eviction = audit(a).evictions().get(0);
            assertEquals(b.localAddress(), eviction.peer());
            assertTrue(eviction.reason().contains("latency.max-loss"), eviction.reason());
            assertTrue(eviction.figures().lossRatio() > 0.5, eviction.toString());
            assertTrue(audit(a).peer(b.localAddress()).isEmpty(), "a deleted peer leaves the audit");
        }
    }

    @Test
    void aPeerSlowerThanMaxRttIsDeleted() {
        try (Cluster cluster = new Cluster()) {
            Network a = cluster.start(settings("latency.interval", "20ms", "latency.max-rtt", "30ms", "latency.min-samples", "5"));
            Network b = cluster.start(settings());
            try (LossyLink link = LossyLink.between(a.localAddress(), b.localAddress(),
                    LinkConditions.PERFECT.withDelay(Duration.ofMillis(25), Duration.ZERO))) {
                NodeAddress slow = link.standInFor(b.localAddress());
                a.add(slow);
                Await.until("the slow peer's eviction", () -> !audit(a).evictions().isEmpty());
                Eviction eviction = audit(a).evictions().get(0);
                assertEquals(slow, eviction.peer());
                assertTrue(eviction.reason().contains("latency.max-rtt"), eviction.reason());
                assertTrue(eviction.figures().median().compareTo(Duration.ofMillis(50)) >= 0, eviction.toString());
                assertFalse(a.networkState().peer(slow).map(PeerState::inRouteTable).orElse(false), "an evicted peer is deleted");
                assertTrue(audit(a).peer(slow).isEmpty(), "and leaves the audit");
            }
        }
    }

    @Test
    void forgedAndMalformedAnswersAreCountedAndOtherTypesIgnored() {
        try (Cluster cluster = new Cluster()) {
            Network a = cluster.start(settings("latency.interval", "20ms"));
            Network b = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            a.add(b.localAddress()); // b never answers: a's probes stay outstanding
            Await.until("a to probe b", () -> audit(a).peer(b.localAddress()).map(f -> f.probesSent() > 0).orElse(false));

            // A plugin registered after the audit hears each message after it (one at a time, in order), so once
            // the marker, sent last, reaches it, the audit has judged everything before.
            List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            a.registerPlugin(new Plugin() {
                @Override
                public void newMessage(Message message) {
                    heard.add(message.type());
                }
            });
            byte[] forged = ByteBuffer.allocate(17).put((byte) 1).putLong(0).putLong(12345).array(); // right sequence, wrong time
            b.broadcast(b.newMessage("chat/latency", new byte[3]), a.localAddress());
            b.broadcast(b.newMessage("latency/pong", forged), a.localAddress());
            b.broadcast(b.newMessage("latency/pong", new byte[3]), a.localAddress());
            b.broadcast(b.newMessage("latency/other", forged), a.localAddress());
            b.broadcast(b.newMessage("chat/latency", forged), a.localAddress());
            b.broadcast(b.newMessage("test/marker", new byte[0]), a.localAddress());
            Await.until("the marker behind them", () -> heard.contains("test/marker"));
            assertEquals(3, audit(a).rejectedMessages(), "the two pongs and the unknown latency/ type; chat/ ignored");
            assertEquals(0, figures(a, b.localAddress()).probesAnswered());
            assertEquals(0, a.networkState().pluginFailures());
        }
    }

    @Test
    void settingsAreCheckedWithTheKeyInTheMessage() {
        for (String[] bad : List.of(
                new String[] {"latency.interval", "1"},
                new String[] {"latency.window", "0"},
                new String[] {"latency.max-loss", "1.5"},
                new String[] {"latency.max-rtt", "fast"},
                new String[] {"latency.min-samples", "500"},
                new String[] {"latency.percentiles", "50"})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Network.create(settings(bad)).close());
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
    }
}
