package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Two nodes on real UDP sockets: every message arrives once, in order, byte-equal, in every mode. */
@ParameterizedClass(name = "{0}")
@EnumSource(Mode.class)
class DeliveryTest {

    @Parameter
    Mode mode;

    @Test
    void hundredThousandMessagesArriveOnceInOrderByteEqual() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            SequenceChecker checker = new SequenceChecker(1);
            checker.expectFrom(a.address());
            b.network().registerPlugin(checker);
            a.network().add(b.address());

            int count = 100_000;
            sendAll(a.network(), b.address(), 1, count);

            Await.until("all " + count + " messages at b", () -> checker.received.get() >= count,
                    () -> "received " + checker.received.get());
            assertEquals(count, checker.end(a.network(), b.address()), "nothing lost, nothing duplicated");
            assertEquals(List.of(), checker.problems);
            assertEquals(0, b.network().networkState().checksumFailures());
        }
    }

    @Test
    void acrossALossyLinkNothingIsLostDuplicatedOrReordered() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            LinkConditions lossy = LinkConditions.PERFECT.withSeed(7).withDrop(0.20).withDuplicate(0.05)
                    .withReorder(0.05, Duration.ofMillis(20)).withDelay(Duration.ZERO, Duration.ofMillis(30));
            try (LossyLink link = LossyLink.between(a.address(), b.address(), lossy)) {
                SequenceChecker checker = new SequenceChecker(2);
                checker.expectFrom(link.standInFor(a.address()));
                b.network().registerPlugin(checker);
                NodeAddress bThroughLink = link.standInFor(b.address());
                a.network().add(bThroughLink);

                int count = 10_000;
                sendAll(a.network(), bThroughLink, 2, count);

                Await.until("all " + count + " messages across the link", () -> checker.received.get() >= count,
                        () -> "received " + checker.received.get());
                assertEquals(count, checker.end(a.network(), bThroughLink), "nothing lost, nothing duplicated");
                assertEquals(List.of(), checker.problems);
                assertTrue(link.dropped() > 0 && link.duplicated() > 0, "the link really dropped and duplicated");
                assertTrue(a.network().networkState().peer(bThroughLink).orElseThrow().retransmissions() > 0);
            }
        }
    }

    @Test
    void aBurstIsAcknowledgedInFarFewerDatagramsThanItTook() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            try (LossyLink link = LossyLink.between(a.address(), b.address(), LinkConditions.PERFECT)) {
                AtomicLong towardB = new AtomicLong();
                AtomicLong towardA = new AtomicLong();
                link.tap((toward, datagram) -> (toward.equals(b.address()) ? towardB : towardA).incrementAndGet());
                NodeAddress bThroughLink = link.standInFor(b.address());
                a.network().add(bThroughLink);
                var message = a.network().newMessage("burst", new byte[1024]);
                int count = 5_000;
                for (int i = 0; i < count; i++) {
                    Await.sent("message " + i, () -> a.network().broadcast(message, bThroughLink));
                }
                Await.until("the burst at b", () -> b.inbox().count("burst") == count);
                Await.quiet("datagrams toward a", Duration.ofMillis(300), towardA::get);
                assertTrue(3 * towardA.get() < towardB.get(),
                        "b acknowledged " + towardB.get() + " datagrams of data in " + towardA.get() + " datagrams");
            }
        }
    }

    /**
     * A sender that always has more to send than the receiver takes, on a link that loses nothing:
     * what it resends is spurious (a receiver slower than the sender, warming up, descheduled),
     * and must stay under 0.1 % of the segments it sent. Without kcp.overload-backoff, 50,000
     * messages resent 380-620 segments here (whole windows, as the receiver's queue grew). Both
     * nodes share this JVM, whose young collections here take 100-200 ms while the queues hold
     * tens of MiB: before the sender left its own stalls out of the retransmission timer, each such
     * pause timed out the whole flight (64-256 segments, 0.11-0.48 % of the run alone, 5 runs in 5).
     */
    @Test
    void aSaturatingSenderOnACleanLinkResendsAlmostNothing() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            AtomicLong received = new AtomicLong();
            b.network().registerPlugin(new Plugin() {
                @Override
                public void newMessage(Message m) {
                    received.incrementAndGet();
                }
            });
            a.network().add(b.address());
            var message = a.network().newMessage("flood", new byte[1024]);
            int count = 200_000; // ~150,000 segments: 0.1 % is more than a fresh session's first window
            for (int i = 0; i < count; i++) {
                Await.sent("message " + i, () -> a.network().broadcast(message, b.address()));
            }
            Await.until("all " + count + " at b", () -> received.get() == count, () -> "received " + received.get());
            NetworkState sender = a.network().networkState();
            long segments = sender.bytesSent() / 1400; // at least: every datagram is at most kcp.mtu
            long resent = sender.peer(b.address()).orElseThrow().retransmissions();
            assertTrue(resent * 1000 < segments, "resent " + resent + " of at least " + segments + " segments");
        }
    }

    /** Sends in order; a full queue is counted as a drop by the network, so the sender retries that one. */
    static void sendAll(Network from, NodeAddress to, long seed, int count) {
        for (int i = 0; i < count; i++) {
            var message = from.newMessage("seq", Bodies.body(seed, i));
            Await.sent("message " + i, () -> from.broadcast(message, to));
        }
    }
}
