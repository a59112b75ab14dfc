package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Message;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** kcp.secure: Noise XX sessions with sealed datagrams, on real sockets. */
class SecureSessionTest {

    /** A static key made by the JDK itself, not by the code under test: private hex, public bytes. */
    record StaticKey(String privateHex, byte[] publicKey) {
        static StaticKey generate() throws Exception {
            KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            byte[] scalar = ((XECPrivateKey) pair.getPrivate()).getScalar().orElseThrow();
            byte[] u = ((XECPublicKey) pair.getPublic()).getU().toByteArray();
            byte[] little = new byte[32];
            for (int i = 0; i < 32 && i < u.length; i++) {
                little[i] = u[u.length - 1 - i]; // BigInteger is big-endian; X25519 keys are little-endian
            }
            return new StaticKey(HexFormat.of().formatHex(scalar), little);
        }

        String publicHex() {
            return HexFormat.of().formatHex(publicKey);
        }
    }

    private static Nodes.Node secure(Nodes nodes, StaticKey key, String... more) {
        String[] settings = new String[4 + more.length];
        settings[0] = "kcp.secure";
        settings[1] = "true";
        settings[2] = "kcp.node-key";
        settings[3] = key.privateHex();
        System.arraycopy(more, 0, settings, 4, more.length);
        return nodes.start(settings);
    }

    private static PeerState peer(Nodes.Node node, NodeAddress other) {
        return node.network().networkState().peer(other).orElseThrow(() -> new AssertionError("no peer " + other));
    }

    @Test
    void twoSecureNodesExchangeMessagesInOrderAndProveTheirStaticKeys() throws Exception {
        StaticKey keyA = StaticKey.generate();
        StaticKey keyB = StaticKey.generate();
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = secure(nodes, keyA);
            Nodes.Node b = secure(nodes, keyB);
            SequenceChecker checker = new SequenceChecker(11);
            checker.expectFrom(a.address());
            b.network().registerPlugin(checker);
            a.network().add(b.address());
            int count = 5_000;
            for (int i = 0; i < count; i++) {
                while (a.network().broadcast(a.network().newMessage("seq", Bodies.body(11, i))) == 0) {
                    Thread.onSpinWait(); // the queue is full: the caller retries, as the api says
                }
            }
            Await.until("all messages at b", () -> checker.received.get() == count);
            assertEquals(java.util.List.of(), checker.problems);
            assertArrayEquals(keyB.publicKey(), peer(a, b.address()).staticKey().orElseThrow(), "a sees b's static key");
            assertArrayEquals(keyA.publicKey(), peer(b, a.address()).staticKey().orElseThrow(), "b sees a's static key");
            assertEquals(0, a.network().networkState().unauthenticatedDatagrams() + b.network().networkState().unauthenticatedDatagrams());
        }
    }

    @Test
    void acrossALossyLinkReplaysAreDroppedAndCountedAndNothingIsLostOrDoubled() throws Exception {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = secure(nodes, StaticKey.generate());
            Nodes.Node b = secure(nodes, StaticKey.generate());
            // Every duplicated datagram is a replay of one already delivered.
            LinkConditions hostile = LinkConditions.PERFECT.withSeed(5).withDrop(0.1).withDuplicate(0.3)
                    .withReorder(0.05, Duration.ofMillis(20)).withDelay(Duration.ofMillis(1), Duration.ofMillis(5));
            try (LossyLink link = LossyLink.between(a.address(), b.address(), hostile)) {
                SequenceChecker checker = new SequenceChecker(12);
                checker.expectFrom(link.standInFor(a.address()));
                b.network().registerPlugin(checker);
                a.network().add(link.standInFor(b.address()));
                int count = 2_000;
                for (int i = 0; i < count; i++) {
                    while (a.network().broadcast(a.network().newMessage("seq", Bodies.body(12, i))) == 0) {
                        Thread.onSpinWait();
                    }
                }
                Await.until("all messages at b", () -> checker.received.get() == count, () -> checker.problems.toString());
                assertEquals(java.util.List.of(), checker.problems);
                assertTrue(link.duplicated() > 0);
                assertTrue(b.network().networkState().unauthenticatedDatagrams() > 0, "replays were counted");
            }
        }
    }

    @Test
    void aSecureNodeAndAPlainNodeRefuseEachOtherWithACountedReasonNeverAHang() throws Exception {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node secure = secure(nodes, StaticKey.generate());
            Nodes.Node plain = nodes.start();
            secure.network().add(plain.address());
            Await.until("the secure dial to be refused", () -> secure.network().networkState().sessionsRefused() >= 1
                    && plain.network().networkState().sessionsRefused() >= 1);
            plain.network().add(secure.address());
            long before = secure.network().networkState().sessionsRefused();
            Await.until("the plain dial to be refused", () -> secure.network().networkState().sessionsRefused() > before);
            assertFalse(peer(secure, plain.address()).connected());
            assertFalse(peer(plain, secure.address()).connected());
        }
    }

    @Test
    void anAllowListRefusesOtherStaticKeysAtTheHandshake() throws Exception {
        StaticKey friend = StaticKey.generate();
        StaticKey stranger = StaticKey.generate();
        try (Nodes nodes = new Nodes()) {
            Nodes.Node guarded = secure(nodes, StaticKey.generate(), "kcp.allow-keys", friend.publicHex());
            Nodes.Node a = secure(nodes, friend);
            Nodes.Node b = secure(nodes, stranger);
            a.network().add(guarded.address());
            b.network().add(guarded.address());
            Await.until("the friend to connect", () -> peer(a, guarded.address()).connected());
            Await.until("the stranger to be refused", () -> b.network().networkState().sessionsRefused() >= 1
                    && guarded.network().networkState().sessionsRefused() >= 1);
            assertFalse(guarded.network().networkState().peer(b.address()).map(PeerState::connected).orElse(false));
        }
    }

    @Test
    void forgedDatagramsWithTheRightTagsAreDroppedBeforeTheEngine() throws Exception {
        try (Nodes nodes = new Nodes(); DatagramSocket attacker = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Nodes.Node a = secure(nodes, StaticKey.generate());
            Nodes.Node b = secure(nodes, StaticKey.generate());
            a.network().add(b.address());
            Await.until("a secure session", () -> peer(a, b.address()).connected());
            // Plain DATA, PING and CLOSE, and SEALED garbage, all written by hand (docs/PROTOCOL.md), from a third socket.
            Random random = new Random(1);
            for (int kind : new int[] {3, 4, 5, 10, 10, 10}) {
                byte[] datagram = new byte[11 + (kind == 5 ? 1 : kind == 4 ? 0 : 64)];
                random.nextBytes(datagram);
                datagram[0] = 0x47;
                datagram[1] = 1;
                datagram[2] = (byte) kind;
                attacker.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), b.address().port()));
            }
            Await.until("every forgery counted", () -> b.network().networkState().unauthenticatedDatagrams() >= 6);
            Inbox inbox = b.inbox();
            a.network().broadcast(a.network().newMessage("after", new byte[] {1}));
            Await.until("the session still works", () -> inbox.snapshot().stream().map(Message::type).anyMatch("after"::equals));
            NetworkState state = b.network().networkState();
            assertEquals(0, state.malformedInputs(), "nothing reached the engine or the frame reader");
        }
    }

    @Test
    void aRestartedPeerWithTheSameKeyIsReachedThroughANewHandshake() throws Exception {
        StaticKey keyB = StaticKey.generate();
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = secure(nodes, StaticKey.generate());
            Nodes.Node b = secure(nodes, keyB);
            NodeAddress bAddress = b.address();
            a.network().add(bAddress);
            b.network().add(a.address());
            Await.until("a secure session", () -> peer(a, bAddress).connected());
            b.network().close();
            Nodes.Node b2 = nodes.startOn(bAddress, java.util.Map.of("provider", "kcp", "plugins", "none",
                    "kcp.secure", "true", "kcp.node-key", keyB.privateHex()));
            b2.network().add(a.address()); // the new incarnation dials: its handshake replaces the old session
            Await.until("traffic resumes", () -> {
                a.network().broadcast(a.network().newMessage("again", new byte[0]));
                return b2.inbox().snapshot().stream().anyMatch(m -> m.type().equals("again"));
            });
            assertArrayEquals(keyB.publicKey(), peer(a, bAddress).staticKey().orElseThrow());
        }
    }


    @Test
    void rekeyingEveryFewDatagramsLosesNothingAcrossALossyLink() throws Exception {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = secure(nodes, StaticKey.generate(), "kcp.rekey-after-datagrams", "16");
            Nodes.Node b = secure(nodes, StaticKey.generate(), "kcp.rekey-after-datagrams", "16");
            LinkConditions lossy = LinkConditions.PERFECT.withSeed(9).withDrop(0.05).withReorder(0.05, Duration.ofMillis(10));
            try (LossyLink link = LossyLink.between(a.address(), b.address(), lossy)) {
                SequenceChecker checker = new SequenceChecker(13);
                checker.expectFrom(link.standInFor(a.address()));
                b.network().registerPlugin(checker);
                a.network().add(link.standInFor(b.address()));
                int count = 3_000;
                for (int i = 0; i < count; i++) {
                    while (a.network().broadcast(a.network().newMessage("seq", Bodies.body(13, i))) == 0) {
                        Thread.onSpinWait();
                    }
                }
                Await.until("all messages at b, through hundreds of keys", () -> checker.received.get() == count,
                        () -> checker.problems.toString());
                assertEquals(java.util.List.of(), checker.problems);
            }
        }
    }
}
