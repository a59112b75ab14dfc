package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Inbox;
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import gladius.p2p.testing.Workers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Who untargeted broadcasts reach, and what add, delete, restart and close do, in every mode. */
@ParameterizedClass(name = "{0}")
@EnumSource(Mode.class)
class RouteTableTest {

    @Parameter
    Mode mode;

    @Test
    void aNodeThatDialedUsButWasNeverAddedIsReachedOnlyWhenNamedUntilAdded() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            b.network().broadcast(b.network().newMessage("hi", new byte[] {42}), a.address());
            Await.until("b's message at a", () -> a.inbox().count("hi") == 1);
            Message fromB = a.inbox().messages().get(0);
            assertEquals(b.address(), fromB.sender());

            PeerState dialer = a.network().networkState().peer(b.address()).orElseThrow();
            assertTrue(dialer.connected() && dialer.inbound());
            assertFalse(dialer.inRouteTable() || dialer.writable());
            // One peer asked alone is that peer of the whole snapshot; an address never heard from is nobody.
            PeerState alone = a.network().peerState(b.address()).orElseThrow();
            assertEquals(dialer.address(), alone.address());
            assertEquals(dialer.connected() && dialer.inbound() && !dialer.inRouteTable(),
                    alone.connected() && alone.inbound() && !alone.inRouteTable());
            assertEquals(dialer.key(), alone.key());
            assertTrue(a.network().peerState(new NodeAddress("127.0.0.1", 9)).isEmpty());

            assertEquals(0, a.network().broadcast(a.network().newMessage("untargeted-before-add", new byte[0])));
            assertEquals(1, a.network().broadcast(a.network().newMessage("targeted", new byte[0]), b.address()));
            Await.until("the targeted reply at b", () -> b.inbox().count("targeted") == 1);

            assertTrue(a.network().add(b.address()));
            assertEquals(1, a.network().broadcast(a.network().newMessage("untargeted-after-add", new byte[0])));
            Await.until("the untargeted broadcast at b after add", () -> b.inbox().count("untargeted-after-add") == 1);
            // Messages from one sender keep their order: had the first untargeted broadcast gone out
            // (whatever broadcast returned), it would have arrived before the ones b has now.
            assertEquals(List.of("targeted", "untargeted-after-add"),
                    b.inbox().messages().stream().map(Message::type).toList(), "what b heard from a, in order");
        }
    }

    @Test
    void addAndDeleteFireOnceAndDeleteEndsTheSession() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            Nodes.Node c = nodes.start();
            assertTrue(a.network().add(b.address()));
            assertFalse(a.network().add(b.address()));
            Await.until("a connected to b", () -> a.network().networkState().peer(b.address()).map(PeerState::connected).orElse(false));
            Await.until("b sees a", () -> b.network().networkState().peer(a.address()).map(PeerState::connected).orElse(false));

            assertTrue(a.network().delete(b.address()));
            assertFalse(a.network().delete(b.address()));
            // Route-table events reach plugins in order: once c's nodeAdded is in, any second event about b would be too.
            assertTrue(a.network().add(c.address()));
            Await.until("nodeAdded of c, after everything about b", () -> a.inbox().added().contains(c.address()));
            assertEquals(List.of(b.address(), c.address()), a.inbox().added(), "nodeAdded once per add");
            assertEquals(List.of(b.address()), a.inbox().deleted(), "nodeDeleted once");

            assertEquals(1, a.network().broadcast(a.network().newMessage("after-delete", new byte[0])), "c only");
            Await.until("b sees the session end", () -> b.network().networkState().peer(a.address()).isEmpty());
            Await.until("c hears the broadcast", () -> c.inbox().count("after-delete") == 1);
            assertEquals(0, b.inbox().count("after-delete"));
        }
    }

    @Test
    void aPeerReplacedOnTheSamePortGetsTrafficAgainWithNoManualStep() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            NodeAddress bAddress = b.address();
            a.network().add(bAddress);
            a.network().broadcast(a.network().newMessage("before", new byte[0]));
            Await.until("b hears a", () -> b.inbox().count("before") == 1);

            b.network().close();
            Nodes.Node b2 = nodes.startOn(bAddress);
            // a learns of the restart only from the new b's datagrams or its own timeouts: keep offering traffic.
            Await.until("traffic resumes at the new b", Await.TIMEOUT, () -> {
                a.network().broadcast(a.network().newMessage("after", new byte[0]));
                return b2.inbox().count("after") > 0;
            }, () -> a.network().networkState().toString());
            b2.network().broadcast(b2.network().newMessage("back", new byte[0]), a.address());
            Await.until("the new b answers", () -> a.inbox().count("back") == 1);
        }
    }

    @Test
    void closeIsIdempotentClosesEveryPluginAndFreesThePort() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Inbox second = new Inbox();
            a.network().registerPlugin(second);
            NodeAddress address = a.address();
            a.network().close();
            a.network().close();
            assertEquals(1, a.inbox().closes());
            assertEquals(1, second.closes());
            assertThrows(IllegalStateException.class, () -> a.network().newMessage("x", new byte[0]));
            assertThrows(IllegalStateException.class, () -> a.network().add(new NodeAddress("127.0.0.1", 9)));

            Network again = Network.create(nodes.settings());
            again.listen(address);
            assertEquals(address, again.localAddress());
            again.close();
        }
    }

    @Test
    void aPluginThatThrowsStopsNeitherTheOthersNorTheNode() {
        try (Nodes nodes = new Nodes(mode)) {
            nodes.expectPluginFailures();
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            b.network().registerPlugin(new gladius.p2p.Plugin() {
                @Override
                public void newMessage(Message message) {
                    if (message.body().remaining() == 1 && message.bodyBytes()[0] == 1) {
                        throw new AssertionError("a plugin's own check failed"); // an Error, not an exception
                    }
                    throw new IllegalStateException("a broken plugin");
                }
            });
            Inbox after = new Inbox();
            b.network().registerPlugin(after);
            a.network().add(b.address());
            for (int i = 0; i < 3; i++) {
                a.network().broadcast(a.network().newMessage("m", new byte[] {(byte) i}));
            }
            Await.until("the plugin after the broken one hears all", () -> after.count("m") == 3);
            assertEquals(3, b.inbox().count("m"), "the plugin before it too");
            assertEquals(3, b.network().networkState().pluginFailures());
            a.network().broadcast(a.network().newMessage("still-up", new byte[0]));
            Await.until("the node keeps delivering", () -> after.count("still-up") == 1);
        }
    }

    @Test
    void aSessionEndsWhenThePeerGoesSilent() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start("kcp.keepalive", "50ms", "kcp.dead-peer-timeout", "300ms");
            Nodes.Node b = nodes.start();
            // b is reached through a link that is then cut: no CLOSE, no RESET, just silence.
            NodeAddress bThroughLink;
            try (LossyLink link = LossyLink.between(a.address(), b.address(), LinkConditions.PERFECT)) {
                bThroughLink = link.standInFor(b.address());
                a.network().broadcast(a.network().newMessage("x", new byte[0]), bThroughLink);
                Await.until("a connected", () -> a.network().networkState().peer(bThroughLink).map(PeerState::connected).orElse(false));
            }
            Await.until("a drops the dead session", () -> a.network().networkState().peer(bThroughLink).isEmpty());
        }
    }

    @Test
    void closingWhileOtherThreadsSendFailsTheirSendsOnlyWithIllegalState() throws InterruptedException {
        try (Nodes nodes = new Nodes(mode); Workers workers = new Workers()) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            a.network().add(b.address());
            Message message = a.network().newMessage("race", new byte[64]);
            CountDownLatch sending = new CountDownLatch(4);
            for (int t = 0; t < 4; t++) {
                workers.start("sender-" + t, () -> {
                    sending.countDown();
                    try {
                        for (int i = 0; ; i++) {
                            if (i % 2 == 0) {
                                a.network().broadcast(message);
                            } else {
                                a.network().broadcast(message, new NodeAddress("127.0.0.1", 9));
                            }
                            if (Thread.currentThread().isInterrupted()) {
                                throw new AssertionError("interrupted before the close made sends fail");
                            }
                        }
                    } catch (IllegalStateException closed) {
                        // what a send after close is documented to do
                    }
                });
            }
            assertTrue(sending.await(10, TimeUnit.SECONDS), "the senders started");
            Await.until("some messages to arrive", () -> b.inbox().count("race") > 100);
            a.network().close();
            workers.join(Duration.ofSeconds(10)); // each sender stopped with the close, by an IllegalStateException only
        }
    }
}
