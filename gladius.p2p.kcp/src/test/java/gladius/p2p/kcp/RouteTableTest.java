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
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who untargeted broadcasts reach, and what add, delete, restart and close do. */
class RouteTableTest {

    private static long count(Nodes.Node node, String type) {
        return node.inbox().snapshot().stream().filter(m -> m.type().equals(type)).count();
    }

    @Test
    void aNodeThatDialedUsButWasNeverAddedIsReachedOnlyWhenNamedUntilAdded() {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            b.network().broadcast(b.network().newMessage("hi", new byte[] {42}), a.address());
            Await.until("b's message at a", () -> count(a, "hi") == 1);
            Message fromB = a.inbox().snapshot().get(0);
            assertEquals(b.address(), fromB.sender());

            PeerState dialer = a.network().networkState().peer(b.address()).orElseThrow();
            assertTrue(dialer.connected() && dialer.inbound());
            assertFalse(dialer.inRouteTable() || dialer.writable());

            assertEquals(0, a.network().broadcast(a.network().newMessage("untargeted", new byte[0])));
            assertEquals(1, a.network().broadcast(a.network().newMessage("targeted", new byte[0]), b.address()));
            Await.until("the targeted reply at b", () -> count(b, "targeted") == 1);
            assertEquals(0, count(b, "untargeted"), "messages from one sender keep their order");

            assertTrue(a.network().add(b.address()));
            assertEquals(1, a.network().broadcast(a.network().newMessage("untargeted", new byte[0])));
            Await.until("the untargeted broadcast at b after add", () -> count(b, "untargeted") == 1);
        }
    }

    @Test
    void addAndDeleteFireOnceAndDeleteEndsTheSession() {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            assertTrue(a.network().add(b.address()));
            assertFalse(a.network().add(b.address()));
            Await.until("a connected to b", () -> a.network().networkState().peer(b.address()).map(PeerState::connected).orElse(false));
            Await.until("b sees a", () -> b.network().networkState().peer(a.address()).map(PeerState::connected).orElse(false));
            Await.until("nodeAdded", () -> a.inbox().added.size() == 1);
            assertEquals(List.of(b.address()), a.inbox().added);

            assertTrue(a.network().delete(b.address()));
            assertFalse(a.network().delete(b.address()));
            Await.until("nodeDeleted", () -> a.inbox().deleted.size() == 1);
            assertEquals(List.of(b.address()), a.inbox().deleted);
            assertEquals(1, a.inbox().added.size());

            assertEquals(0, a.network().broadcast(a.network().newMessage("after-delete", new byte[0])));
            Await.until("b sees the session end", () -> b.network().networkState().peer(a.address()).isEmpty());
            assertEquals(0, count(b, "after-delete"));
        }
    }

    @Test
    void aPeerReplacedOnTheSamePortGetsTrafficAgainWithNoManualStep() {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            NodeAddress bAddress = b.address();
            a.network().add(bAddress);
            a.network().broadcast(a.network().newMessage("before", new byte[0]));
            Await.until("b hears a", () -> count(b, "before") == 1);

            b.network().close();
            Nodes.Node b2 = nodes.startOn(bAddress, Map.of("provider", "kcp", "plugins", "none"));
            Await.until("traffic resumes at the new b", Await.TIMEOUT, () -> {
                a.network().broadcast(a.network().newMessage("after", new byte[0]));
                return count(b2, "after") > 0;
            }, () -> a.network().networkState().toString());
            b2.network().broadcast(b2.network().newMessage("back", new byte[0]), a.address());
            Await.until("the new b answers", () -> count(a, "back") == 1);
        }
    }

    @Test
    void closeIsIdempotentClosesEveryPluginAndFreesThePort() {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = nodes.start();
            Inbox second = new Inbox();
            a.network().registerPlugin(second);
            NodeAddress address = a.address();
            a.network().close();
            a.network().close();
            assertEquals(1, a.inbox().closes.get());
            assertEquals(1, second.closes.get());
            assertThrows(IllegalStateException.class, () -> a.network().newMessage("x", new byte[0]));
            assertThrows(IllegalStateException.class, () -> a.network().add(new NodeAddress("127.0.0.1", 9)));

            Network again = Network.create(Map.of("provider", "kcp", "plugins", "none"));
            again.listen(address);
            assertEquals(address, again.localAddress());
            again.close();
        }
    }

    @Test
    void aPluginThatThrowsStopsNeitherTheOthersNorTheNode() {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            b.network().registerPlugin(new gladius.p2p.Plugin() {
                @Override
                public void newMessage(Message message) {
                    throw new IllegalStateException("a broken plugin");
                }
            });
            Inbox after = new Inbox();
            b.network().registerPlugin(after);
            a.network().add(b.address());
            for (int i = 0; i < 3; i++) {
                a.network().broadcast(a.network().newMessage("m", new byte[] {(byte) i}));
            }
            Await.until("the plugin after the broken one hears all", () -> after.messages.size() == 3);
            assertEquals(3, b.inbox().messages.size(), "the plugin before it too");
            assertEquals(3, b.network().networkState().pluginFailures());
        }
    }

    @Test
    void aSessionEndsWhenThePeerGoesSilent() {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = nodes.start("kcp.keepalive", "50ms", "kcp.dead-peer-timeout", "300ms");
            Nodes.Node b = nodes.start();
            // b is reached through a link that is then cut: no CLOSE, no RESET, just silence.
            LossyLink link = LossyLink.between(a.address(), b.address(), LinkConditions.PERFECT);
            NodeAddress bThroughLink = link.standInFor(b.address());
            a.network().broadcast(a.network().newMessage("x", new byte[0]), bThroughLink);
            Await.until("a connected", () -> a.network().networkState().peer(bThroughLink).map(PeerState::connected).orElse(false));
            link.close();
            Await.until("a drops the dead session", Duration.ofSeconds(20),
                    () -> a.network().networkState().peer(bThroughLink).isEmpty(), () -> "");
        }
    }

    @Test
    void closingWhileOtherThreadsSendFailsTheirSendsOnlyWithIllegalState() throws InterruptedException {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            a.network().add(b.address());
            Message message = a.network().newMessage("race", new byte[64]);
            List<Throwable> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.CountDownLatch sending = new java.util.concurrent.CountDownLatch(4);
            List<Thread> senders = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread sender = new Thread(() -> {
                    sending.countDown();
                    try {
                        for (int i = 0; ; i++) {
                            if (i % 2 == 0) {
                                a.network().broadcast(message);
                            } else {
                                a.network().broadcast(message, new NodeAddress("127.0.0.1", 9));
                            }
                        }
                    } catch (IllegalStateException closed) {
                        // what a send after close is documented to do
                    } catch (Throwable e) {
                        unexpected.add(e);
                    }
                });
                sender.start();
                senders.add(sender);
            }
            sending.await();
            Await.until("some messages to arrive", () -> count(b, "race") > 100);
            a.network().close();
            for (Thread sender : senders) {
                sender.join(10_000);
                assertFalse(sender.isAlive(), "every sender stopped with the close");
            }
            assertEquals(List.of(), unexpected);
        }
    }
}
