package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Contact;
import gladius.p2p.Message;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Relays (docs/PROTOCOL.md, section 7) on loopback. A node "behind" a {@link LossyLink} is
 * reachable only through the node at the link's other end (the link drops what anyone else sends
 * to its stand-in address, as a filtering NAT does), so a third node can reach it only through
 * that node, relaying. The same in the namespace test bed with real NATs: NatIT.
 *
 * <pre>
 *   a ──────────── r (kcp.relay) ═══ link ═══ b      a knows b as r sees it: standInFor(b)
 * </pre>
 */
@ParameterizedClass(name = "{0}")
@EnumSource(value = Mode.class, names = {"PLAIN_EPOLL", "SECURE_EPOLL", "SECURE_NIO"})
class RelayTest {

    /** A short dial timeout, so the direct attempt gives way to the relay quickly. */
    private static final String[] QUICK = {"kcp.connect-timeout", "500ms"};

    @Parameter
    Mode mode;

    /** The relay, a node behind a link to it, and a node that wants to reach the one behind. */
    private record Trio(Nodes.Node a, Nodes.Node r, Nodes.Node b, LossyLink link) implements AutoCloseable {
        /** b as r (and so a) knows it. */
        NodeAddress bAsSeen() {
            return link.standInFor(b.address());
        }

        @Override
        public void close() {
            link.close();
        }
    }

    private Trio trio(Nodes nodes, String... relaySettings) {
        String[] relay = new String[relaySettings.length + 2];
        relay[0] = "kcp.relay";
        relay[1] = "true";
        System.arraycopy(relaySettings, 0, relay, 2, relaySettings.length);
        Nodes.Node r = nodes.start(relay);
        Nodes.Node b = nodes.start(QUICK);
        Nodes.Node a = nodes.start(QUICK);
        LossyLink link = LossyLink.between(r.address(), b.address(), LinkConditions.PERFECT);
        addRelay(b, r, link.standInFor(r.address()));
        addRelay(a, r, r.address());
        Await.until("b connected to r through the link",
                () -> connected(r.network().networkState(), link.standInFor(b.address())));
        return new Trio(a, r, b, link);
    }

    @Test
    void aNodeNobodyCanReachDirectlyIsReachedThroughARelayBothWays() {
        try (Nodes nodes = new Nodes(mode); Trio t = trio(nodes)) {
            NodeAddress rAsSeenByB = t.link().standInFor(t.r().address());
            t.a().network().add(t.bAsSeen());

            Await.until("a connected to b, through r", () -> t.a().network().networkState().peer(t.bAsSeen())
                    .filter(PeerState::connected).flatMap(PeerState::relay).isPresent(), () -> states(t));
            // A relayed HELLO that reaches r before b's reservation does is dropped (and counted) by
            // design, and a's next one goes through: only what r drops from here on would be a loss.
            long dropsOnceOpen = t.r().network().networkState().relayDrops();
            for (int i = 0; i < 20; i++) {
                t.a().network().broadcast(t.a().network().newMessage("hello", new byte[] {(byte) i}), t.bAsSeen());
            }
            Await.until("all twenty at b", () -> t.b().inbox().count("hello") == 20, () -> states(t));
            List<Message> got = t.b().inbox().messages();
            for (int i = 0; i < 20; i++) {
                assertEquals(t.a().address(), got.get(i).sender(), () -> "b sees a at a's own address, as r does: " + states(t));
                assertEquals(i, got.get(i).body().get(0), "in order");
            }
            t.b().network().broadcast(t.b().network().newMessage("back", new byte[] {42}), t.a().address());
            Await.until("the answer at a", () -> t.a().inbox().count("back") == 1, () -> states(t));
            assertEquals(t.bAsSeen(), t.a().inbox().messages().get(0).sender());

            PeerState bAtA = t.a().network().networkState().peer(t.bAsSeen()).orElseThrow();
            assertEquals(Optional.of(t.r().address()), bAtA.relay(), bAtA.toString());
            assertTrue(bAtA.toString().contains(", via " + t.r().address()), bAtA.toString());
            PeerState aAtB = t.b().network().networkState().peer(t.a().address()).orElseThrow();
            assertTrue(aAtB.connected(), aAtB.toString());
            assertEquals(Optional.of(rAsSeenByB), aAtB.relay(), "b reaches a through r as b knows r: " + aAtB);
            assertTrue(t.a().network().networkState().peer(t.r().address()).orElseThrow().relay().isEmpty(),
                    "the session with the relay itself is direct");

            NetworkState relay = t.r().network().networkState();
            assertEquals(1, relay.relayCircuits(), relay.toString());
            // Twenty small frames may share datagrams, but every byte of them went through r.
            assertTrue(relay.relayedDatagrams() > 0 && relay.relayedBytes() > 20 * 10, "the messages went through r: " + relay);
            assertEquals(dropsOnceOpen, relay.relayDrops(), relay.toString());
            assertTrue(relay.toString().contains(", relayedDatagrams " + relay.relayedDatagrams() + ", relayedBytes "), relay.toString());
            assertTrue(t.link().strangers() > 0, "a's direct attempts and punches to b were dropped by the link");
            assertEquals(0, relay.malformedInputs() + t.a().network().networkState().malformedInputs()
                    + t.b().network().networkState().malformedInputs(), states(t));
            if (secure()) {
                // The Noise session is a's and b's: each proved its own key to the other, not r's.
                assertArrayEquals(t.a().network().networkState().staticKey().orElseThrow(), aAtB.staticKey().orElseThrow());
                assertArrayEquals(t.b().network().networkState().staticKey().orElseThrow(), bAtA.staticKey().orElseThrow());
            }
        }
    }

    @Test
    void aRelayForwardsAtMostItsBytesPerSecondAndCountsTheRestWhileNothingIsLost() {
        try (Nodes nodes = new Nodes(mode); Trio t = trio(nodes, "kcp.relay-bytes-per-second", "16384")) {
            t.a().network().add(t.bAsSeen());
            Await.until("a connected to b, through r", () -> connected(t.a().network().networkState(), t.bAsSeen()),
                    () -> states(t));
            int count = 64;
            for (int i = 0; i < count; i++) {
                t.a().network().broadcast(t.a().network().newMessage("bulk", new byte[1000]), t.bAsSeen());
            }
            // 64 kB at 16 kB/s: the relay drops what exceeds its budget, KCP resends it, all arrive.
            Await.until("all at b", () -> t.b().inbox().count("bulk") == count, () -> states(t));
            NetworkState relay = t.r().network().networkState();
            assertTrue(relay.relayDrops() > 0, "over its budget the relay dropped, and counted: " + relay);
            assertEquals(0, t.a().network().networkState().messagesDropped(), states(t));
        }
    }

    @Test
    void aRelayServesAtMostItsCircuitsAndCountsWhatItRefuses() {
        try (Nodes nodes = new Nodes(mode); Trio t = trio(nodes, "kcp.relay-circuits", "1")) {
            Nodes.Node c = nodes.start(QUICK);
            try (LossyLink cLink = LossyLink.between(t.r().address(), c.address(), LinkConditions.PERFECT)) {
                addRelay(c, t.r(), cLink.standInFor(t.r().address()));
                NodeAddress cAsSeen = cLink.standInFor(c.address());
                Await.until("c connected to r", () -> connected(t.r().network().networkState(), cAsSeen));
                t.a().network().add(t.bAsSeen());
                Await.until("a connected to b, through r", () -> connected(t.a().network().networkState(), t.bAsSeen()),
                        () -> states(t));
                t.a().network().add(cAsSeen);
                Await.until("the relay refusing a second pair",
                        () -> t.r().network().networkState().relayDrops() > 0, () -> states(t));
                NetworkState relay = t.r().network().networkState();
                assertEquals(1, relay.relayCircuits(), relay.toString());
                assertFalse(connected(t.a().network().networkState(), cAsSeen), states(t));
                assertTrue(connected(t.a().network().networkState(), t.bAsSeen()), "the first pair goes on: " + states(t));
            }
        }
    }

    /**
     * Adds the relay to a node's route table as a user would who trusts it to relay: in a secure
     * network with its key pinned (a node uses as relays only those it chose, docs/SECURITY.md).
     */
    private void addRelay(Nodes.Node node, Nodes.Node relay, NodeAddress at) {
        if (secure()) {
            node.network().add(new Contact(relay.network().networkState().key().orElseThrow(), at));
        } else {
            node.network().add(at);
        }
    }

    private boolean secure() {
        return mode.settings().get("kcp.secure").equals("true");
    }

    private static boolean connected(NetworkState state, NodeAddress peer) {
        return state.peer(peer).map(PeerState::connected).orElse(false);
    }

    private static String states(Trio t) {
        return "a: " + t.a().network().networkState() + "\nr: " + t.r().network().networkState()
                + "\nb: " + t.b().network().networkState() + "\nlink strangers: " + t.link().strangers();
    }
}
