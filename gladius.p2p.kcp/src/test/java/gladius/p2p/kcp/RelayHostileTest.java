package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a peer that holds one ordinary session with a node can make the node do with RELAY and
 * RELAYED datagrams (docs/SECURITY.md, "A peer"): nothing that a relay the node chose could not.
 * The attacker is a {@link RawPeer} speaking the plain protocol by hand on 127.0.0.1; each test
 * ends with a marker (a fresh session's WELCOME) so that the node has read everything the
 * attacker sent before it is asked anything.
 */
class RelayHostileTest {

    /** A new session's WELCOME: the node has handled every datagram that reached it before the marker's HELLO. */
    private static void marker(NodeAddress node) {
        try (RawPeer marker = new RawPeer()) {
            marker.open(node, 0x0BAD_CAFE);
        }
    }

    private static boolean anyOfKind(List<ByteBuffer> datagrams, int kind) {
        return datagrams.stream().anyMatch(d -> RawPeer.kind(d) == kind);
    }

    @Test
    void aForgedRelayedForAnUnusedPortOpensNoSessionAndSendsNothingThere() {
        try (Nodes nodes = new Nodes(); RawPeer attacker = new RawPeer(); RawPeer victim = new RawPeer()) {
            Nodes.Node node = nodes.start();
            RawPeer.Session session = attacker.open(node.address(), 0x1111_1111);
            long dropsBefore = node.network().networkState().relayDrops();
            for (int i = 0; i < 8; i++) {
                byte[] hello = RawPeer.header(RawPeer.HELLO, 0x2222_0000 + i, 0);
                attacker.send(node.address(), RawPeer.relay(RawPeer.RELAYED, session, victim.address(), hello));
            }
            marker(node.address());

            NetworkState state = node.network().networkState();
            assertEquals(Optional.empty(), state.peer(victim.address()), "no session 'with' the victim: " + state);
            assertFalse(anyOfKind(attacker.drain(), RawPeer.RELAY), "no WELCOME went back through the attacker");
            assertEquals(List.of(), victim.drain(), "nothing was sent to the victim's port");
            assertEquals(dropsBefore + 8, state.relayDrops(), "each forgery was dropped and counted: " + state);
        }
    }

    @Test
    void aForgedRelayedCannotTakeOverADialInProgress() {
        try (Nodes nodes = new Nodes(); RawPeer attacker = new RawPeer(); RawPeer silent = new RawPeer()) {
            Nodes.Node node = nodes.start("kcp.connect-timeout", "1h");
            RawPeer.Session session = attacker.open(node.address(), 0x1111_1111);
            node.network().add(silent.address());
            ByteBuffer firstHello = silent.receive(Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("no dial"));
            int dialTag = firstHello.getInt(3);
            // The silent node's "answer", through the attacker: a WELCOME to the dial, and a HELLO of its own.
            attacker.send(node.address(), RawPeer.relay(RawPeer.RELAYED, session, silent.address(),
                    RawPeer.header(RawPeer.WELCOME, 0x3333_3333, dialTag)));
            attacker.send(node.address(), RawPeer.relay(RawPeer.RELAYED, session, silent.address(),
                    RawPeer.header(RawPeer.HELLO, 0x4444_4444, 0)));
            marker(node.address());

            assertFalse(node.network().networkState().peer(silent.address()).map(PeerState::connected).orElse(false),
                    "the dial is not answered by the attacker: " + node.network().networkState());
            // The dial goes on where it was going: its next HELLO reaches the silent node itself.
            Await.until("another HELLO of the same dial at the silent node", () -> silent.receive(Duration.ofSeconds(2))
                    .filter(d -> RawPeer.kind(d) == RawPeer.HELLO && d.getInt(3) == dialTag).isPresent());
            assertFalse(anyOfKind(attacker.drain(), RawPeer.RELAY), "nothing of the dial went through the attacker");
        }
    }

    @Test
    void aPeerThatSaysItRelaysIsNotAskedToUnlessThisNodeChoseIt() {
        try (Nodes nodes = new Nodes(); RawPeer attacker = new RawPeer(); RawPeer silent = new RawPeer()) {
            Nodes.Node node = nodes.start("kcp.connect-timeout", "200ms");
            RawPeer.Session session = attacker.open(node.address(), 0x1111_1111);
            attacker.send(node.address(), RawPeer.ping(session, 1)); // "I relay"
            marker(node.address());
            node.network().add(silent.address());
            // Dials that get no answer alternate between direct and relayed: three dials (by their tags) take
            // in at least one relayed attempt.
            Set<Integer> dials = new HashSet<>();
            Await.until("three dials of the silent node", () -> {
                silent.receive(Duration.ofMillis(200)).filter(d -> RawPeer.kind(d) == RawPeer.HELLO)
                        .ifPresent(d -> dials.add(d.getInt(3)));
                return dials.size() >= 3;
            });
            List<ByteBuffer> got = attacker.drain();
            assertFalse(anyOfKind(got, RawPeer.RELAY), "the attacker was never asked to relay: " + got.size() + " datagrams");
        }
    }

    /**
     * A relayed session a, r, b as in RelayTest; then a peer of a's forges b's restart through
     * itself. a's session with b stays the one through r.
     */
    @Test
    void aForgedRelayedCannotReplaceAnEstablishedRelayedSession() {
        try (Nodes nodes = new Nodes(); RawPeer attacker = new RawPeer()) {
            Nodes.Node r = nodes.start("kcp.relay", "true");
            Nodes.Node b = nodes.start("kcp.connect-timeout", "500ms");
            Nodes.Node a = nodes.start("kcp.connect-timeout", "500ms");
            try (LossyLink link = LossyLink.between(r.address(), b.address(), LinkConditions.PERFECT)) {
                b.network().add(link.standInFor(r.address()));
                a.network().add(r.address());
                NodeAddress bAsSeen = link.standInFor(b.address());
                Await.until("b connected to r", () -> connected(r.network().networkState(), bAsSeen));
                a.network().add(bAsSeen);
                Await.until("a connected to b through r", () -> a.network().networkState().peer(bAsSeen)
                        .filter(PeerState::connected).flatMap(PeerState::relay).isPresent(), () -> a.network().networkState().toString());

                RawPeer.Session session = attacker.open(a.address(), 0x1111_1111);
                attacker.send(a.address(), RawPeer.relay(RawPeer.RELAYED, session, bAsSeen,
                        RawPeer.header(RawPeer.HELLO, 0x5555_5555, 0)));
                marker(a.address());

                PeerState bAtA = a.network().networkState().peer(bAsSeen).orElseThrow();
                assertEquals(Optional.of(r.address()), bAtA.relay(), "still through r: " + bAtA);
                assertTrue(bAtA.connected(), bAtA.toString());
                assertFalse(anyOfKind(attacker.drain(), RawPeer.RELAY), "no WELCOME went back through the attacker");
                a.network().broadcast(a.network().newMessage("after", new byte[] {1}), bAsSeen);
                Await.until("a message of the same session at b", () -> b.inbox().count("after") == 1);
            }
        }
    }

    /**
     * A relay with 16 circuits and 16 peers that asked it to carry sessions to them; one peer of
     * the relay's opens circuits to all of them. A pair that comes after still gets one.
     */
    @Test
    void onePeerCannotHoldEveryCircuitOfARelay() {
        try (Nodes nodes = new Nodes(); RawPeer attacker = new RawPeer()) {
            Nodes.Node r = nodes.start("kcp.relay", "true", "kcp.relay-circuits", "16");
            List<RawPeer> targets = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) {
                    RawPeer target = new RawPeer();
                    targets.add(target);
                    RawPeer.Session held = target.open(r.address(), 0x0700_0000 + i);
                    target.send(r.address(), RawPeer.header(RawPeer.RESERVE, held.ours(), held.theirs()));
                }
                RawPeer.Session session = attacker.open(r.address(), 0x1111_1111);
                for (int i = 0; i < 16; i++) {
                    attacker.send(r.address(), RawPeer.relay(RawPeer.RELAY, session, targets.get(i).address(),
                            RawPeer.header(RawPeer.HELLO, 0x0800_0000 + i, 0)));
                }
                marker(r.address());
                assertTrue(r.network().networkState().relayCircuits() < 16,
                        "the attacker holds some circuits, not all: " + r.network().networkState());

                Nodes.Node d = nodes.start("kcp.connect-timeout", "500ms");
                Nodes.Node c = nodes.start("kcp.connect-timeout", "500ms");
                try (LossyLink link = LossyLink.between(r.address(), d.address(), LinkConditions.PERFECT)) {
                    d.network().add(link.standInFor(r.address()));
                    c.network().add(r.address());
                    NodeAddress dAsSeen = link.standInFor(d.address());
                    Await.until("d connected to r", () -> connected(r.network().networkState(), dAsSeen));
                    c.network().add(dAsSeen);
                    Await.until("c connected to d through r", () -> connected(c.network().networkState(), dAsSeen),
                            () -> r.network().networkState().toString());
                }
            } finally {
                targets.forEach(RawPeer::close);
            }
        }
    }

    private static boolean connected(NetworkState state, NodeAddress peer) {
        return state.peer(peer).map(PeerState::connected).orElse(false);
    }
}
