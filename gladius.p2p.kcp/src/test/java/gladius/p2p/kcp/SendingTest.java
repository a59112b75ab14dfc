package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Inbox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Sending, the counters that show it, and the small accessors of {@link Network}, in every mode. */
@ParameterizedClass(name = "{0}")
@EnumSource(Mode.class)
class SendingTest {

    @Parameter
    Mode mode;

    @Test
    void broadcastToACollectionReachesExactlyThePeersNamed() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            Nodes.Node c = nodes.start();
            Nodes.Node d = nodes.start();
            a.network().add(d.address()); // in the route table, but not named
            assertEquals(2, a.network().broadcast(a.network().newMessage("named", new byte[] {7}), List.of(b.address(), c.address())));
            Await.until("b and c hear it", () -> b.inbox().count("named") == 1 && c.inbox().count("named") == 1);
            assertEquals(1, a.network().broadcast(a.network().newMessage("marker", new byte[0]), List.of(d.address())));
            Await.until("the marker at d", () -> d.inbox().count("marker") == 1);
            assertEquals(0, d.inbox().count("named"), "a peer not named hears nothing, route table or not");
            assertEquals(0, a.network().broadcast(a.network().newMessage("nobody", new byte[0]), List.of()));
            assertThrows(NullPointerException.class, () -> a.network().broadcast(a.network().newMessage("x", new byte[0]), (List<NodeAddress>) null));
        }
    }

    @Test
    void aFullQueueDropsTheMessageForThatPeerAndCountsIt() {
        try (Nodes nodes = new Nodes(mode)) {
            // queue-capacity is rounded up to a power of two; the discard port never answers, so nothing drains.
            Nodes.Node node = nodes.start("kcp.queue-capacity", "16", "kcp.connect-timeout", "1h");
            NodeAddress nobody = new NodeAddress("127.0.0.1", 9);
            node.network().add(nobody);
            int queued = 0;
            for (int i = 0; i < 100; i++) {
                queued += node.network().broadcast(node.network().newMessage("k", new byte[8]));
            }
            assertEquals(16, queued, "the queue took what it holds");
            for (int i = 0; i < 10; i++) {
                assertEquals(0, node.network().broadcast(node.network().newMessage("k", new byte[8]), nobody),
                        "named, it is refused the same way");
            }
            NetworkState state = node.network().networkState();
            assertEquals(100 - 16 + 10, state.messagesDropped());
            assertEquals(16, state.peer(nobody).orElseThrow().queuedMessages());
            assertEquals(0, state.messagesSent(), "nothing was handed to a session");
        }
    }

    @Test
    void countersShowWhatWentOutAndCameInPerNodeAndPerPeer() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            Instant start = Instant.now();
            a.network().add(b.address());
            int count = 50;
            int bodyBytes = 1000;
            for (int i = 0; i < count; i++) {
                a.network().broadcast(a.network().newMessage("counted", new byte[bodyBytes]));
            }
            Await.until("all at b", () -> b.inbox().count("counted") == count);
            Await.until("a's counters to catch up", () -> a.network().networkState().messagesSent() == count);

            NetworkState sent = a.network().networkState();
            PeerState toB = sent.peer(b.address()).orElseThrow();
            assertEquals(count, toB.messagesSent());
            assertEquals(0, toB.messagesReceived());
            assertEquals(0, toB.queuedMessages());
            assertTrue(sent.bytesSent() >= (long) count * bodyBytes, "bytes sent include every body: " + sent.bytesSent());
            // Beyond the bodies: headers and frames (well under 100 bytes a message), the handshake and keepalives,
            // and whatever segments were sent again (each at most kcp.mtu), which a descheduled receiver can cause.
            long bound = (long) count * (bodyBytes + 100) + toB.retransmissions() * 1400 + 10_000;
            assertTrue(sent.bytesSent() <= bound, "and little else: " + sent.bytesSent() + " > " + bound + ", " + toB);

            NetworkState received = b.network().networkState();
            PeerState fromA = received.peer(a.address()).orElseThrow();
            assertEquals(count, received.messagesReceived());
            assertEquals(count, fromA.messagesReceived());
            assertTrue(received.bytesReceived() >= (long) count * bodyBytes, "bytes received: " + received.bytesReceived());
            assertFalse(fromA.lastSeen().isBefore(start.minusSeconds(1)), "last seen during the test: " + fromA.lastSeen());
            assertFalse(fromA.lastSeen().isAfter(Instant.now().plusSeconds(1)), "and not in the future: " + fromA.lastSeen());
            assertEquals(0, received.messagesDropped() + received.checksumFailures() + received.malformedInputs());
        }
    }

    @Test
    void theStateReadsAsTextAPersonCanUse() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            a.network().add(b.address());
            a.network().broadcast(a.network().newMessage("printed", new byte[] {1}));
            Await.until("the message at b", () -> b.inbox().count("printed") == 1);

            NetworkState state = a.network().networkState(); // one snapshot: a later one may have heard an ACK since
            String text = state.toString();
            boolean secure = mode.settings().get("kcp.secure").equals("true");
            String own = secure ? ", key " + java.util.HexFormat.of().formatHex(state.staticKey().orElseThrow()) : "";
            String seenAs = state.observedAddresses().isEmpty() ? "" : ", seen as " + state.observedAddresses().get(0);
            assertTrue(text.startsWith("NetworkState[" + a.address() + " on " + mode.settings().get("kcp.io") + own + seenAs + ", messagesSent 1, "),
                    text);
            String peer = state.peer(b.address()).orElseThrow().toString();
            assertTrue(text.contains(peer), "one line per peer: " + text);
            assertTrue(peer.startsWith("PeerState[" + b.address() + ", in route table, writable, connected"), peer);
            assertTrue(peer.matches(".*, rtt \\d+\\.\\d ms, .*"), "the round trip in milliseconds: " + peer);
            assertFalse(text.contains("[B@") || text.contains("PT") || text.contains("/127.0.0.1"), text);
            if (secure) {
                assertTrue(peer.matches(".*, key [0-9a-f]{64}, (aes-gcm|chacha20-poly1305)]"), "the static key in hex, the cipher: " + peer);
            } else {
                assertFalse(peer.contains("key") || peer.contains("gcm") || peer.contains("chacha"), peer);
            }
        }
    }

    @Test
    void eachNodeLearnsTheAddressItsPeerSeesItAt() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            assertEquals(List.of(), a.network().networkState().observedAddresses(), "nobody has reported yet");
            a.network().add(b.address());
            // On loopback the peer sees each node at its own bound address.
            Await.until("a told where b sees it", () -> a.network().networkState().observedAddresses().equals(List.of(a.address())),
                    () -> a.network().networkState().toString());
            Await.until("b told where a sees it", () -> b.network().networkState().observedAddresses().equals(List.of(b.address())),
                    () -> b.network().networkState().toString());
            assertTrue(a.network().networkState().toString().contains(", seen as " + a.address()), a.network().networkState().toString());
            b.network().close();
            Await.until("the report gone with the session", () -> a.network().networkState().observedAddresses().isEmpty(),
                    () -> a.network().networkState().toString());
        }
    }

    @Test
    void aMessageAsLargeAsTheLimitCrossesTheWireAndOneByteMoreIsRefused() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            a.network().add(b.address());
            byte[] body = new byte[1 << 20]; // the default kcp.max-message-bytes
            new SplittableRandom(5).nextBytes(body);
            a.network().broadcast(a.network().newMessage("large", body));
            Await.until("the 1 MiB message at b", () -> b.inbox().count("large") == 1);
            Message large = b.inbox().messages().stream().filter(m -> m.type().equals("large")).findFirst().orElseThrow();
            assertArrayEquals(body, large.bodyBytes());
            assertEquals(Bodies.checksum(large), large.checksum());
            IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                    () -> a.network().newMessage("large", new byte[(1 << 20) + 1]));
            assertTrue(tooLarge.getMessage().contains("kcp.max-message-bytes"), tooLarge.getMessage());
        }
    }

    /** A plugin type of its own, to look up. */
    private static final class Marker implements Plugin {}

    @Test
    void settingsAndPluginLookupReturnWhatTheNetworkWasGiven() {
        try (Nodes nodes = new Nodes(mode)) {
            Map<String, String> given = nodes.settings("kcp.keepalive", "2s");
            Network network = Network.create(given);
            try {
                assertEquals(given, network.settings());
                assertThrows(UnsupportedOperationException.class, () -> network.settings().put("kcp.keepalive", "1s"));
                Inbox inbox = new Inbox();
                Marker first = new Marker();
                Marker second = new Marker();
                network.registerPlugin(inbox);
                network.registerPlugin(first);
                network.registerPlugin(second);
                assertEquals(Optional.of(first), network.plugin(Marker.class), "the first registered of that type");
                assertEquals(Optional.of(inbox), network.plugin(Plugin.class));
                assertEquals(Optional.empty(), network.plugin(String.class));
                assertThrows(NullPointerException.class, () -> network.plugin(null));
            } finally {
                network.close();
            }
        }
    }

    @Test
    void nodesOnIpv6LoopbackTalk() throws IOException {
        assumeTrue(ipv6LoopbackWorks(), "IPv6 loopback ([::1]) is not available on this machine");
        try (Nodes nodes = new Nodes(mode)) {
            NodeAddress any = NodeAddress.parse("[::1]:0");
            Nodes.Node a = nodes.startOn(any);
            Nodes.Node b = nodes.startOn(any);
            // Addresses are kept in one canonical text (Java's, 0:0:0:0:0:0:0:1): [::1] given by a user means the same node.
            assertEquals(InetAddress.getByName("::1"), InetAddress.getByName(a.address().host()));
            assertTrue(a.network().add(NodeAddress.parse("[::1]:" + b.address().port())));
            assertFalse(a.network().add(b.address()), "the same node, whichever way its address is written");
            a.network().broadcast(a.network().newMessage("v6", new byte[] {6}));
            Await.until("the message over IPv6", () -> b.inbox().count("v6") == 1);
            assertEquals(a.address(), b.inbox().messages().get(0).sender());
            assertTrue(b.network().networkState().peer(a.address()).orElseThrow().connected());
        }
    }

    private static boolean ipv6LoopbackWorks() {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
