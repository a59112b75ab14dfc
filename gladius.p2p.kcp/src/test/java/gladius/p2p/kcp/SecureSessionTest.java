package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** kcp.secure: Noise XX sessions with sealed datagrams, on real sockets. */
class SecureSessionTest {

    /**
     * A node key and the static key it proves, worked out with the JDK itself, not the code under
     * test (docs/PROTOCOL.md, section 6): the X25519 private key is the first half of SHA-512 of the
     * 32-byte secret, and the public key is X25519 of it and the base point 9.
     */
    record StaticKey(String privateHex, byte[] publicKey) {
        static StaticKey generate() throws Exception {
            byte[] secret = new byte[32];
            new java.security.SecureRandom().nextBytes(secret);
            byte[] scalar = Arrays.copyOf(java.security.MessageDigest.getInstance("SHA-512").digest(secret), 32);
            var factory = java.security.KeyFactory.getInstance("X25519");
            var privateKey = factory.generatePrivate(new java.security.spec.XECPrivateKeySpec(
                    java.security.spec.NamedParameterSpec.X25519, scalar));
            var basePoint = factory.generatePublic(new java.security.spec.XECPublicKeySpec(
                    java.security.spec.NamedParameterSpec.X25519, java.math.BigInteger.valueOf(9)));
            var agreement = javax.crypto.KeyAgreement.getInstance("X25519");
            agreement.init(privateKey);
            agreement.doPhase(basePoint, true);
            return new StaticKey(HexFormat.of().formatHex(secret), agreement.generateSecret());
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
            DeliveryTest.sendAll(a.network(), b.address(), 11, count);
            Await.until("all messages at b", () -> checker.received.get() >= count);
            assertEquals(count, checker.end(a.network(), b.address()), "nothing lost, nothing duplicated");
            assertEquals(java.util.List.of(), checker.problems);
            assertArrayEquals(keyB.publicKey(), peer(a, b.address()).staticKey().orElseThrow(), "a sees b's static key");
            assertArrayEquals(keyA.publicKey(), peer(b, a.address()).staticKey().orElseThrow(), "b sees a's static key");
            assertArrayEquals(keyA.publicKey(), a.network().networkState().staticKey().orElseThrow(), "a knows its own key");
            assertTrue(a.network().networkState().toString().contains("key " + java.util.HexFormat.of().formatHex(keyA.publicKey())),
                    a.network().networkState().toString());
            assertEquals(java.util.Optional.empty(), nodes.start().network().networkState().staticKey(), "a plain node has none");
            assertEquals(0, a.network().networkState().unauthenticatedDatagrams() + b.network().networkState().unauthenticatedDatagrams());
        }
    }

    @Test
    void nodesPreferringDifferentCiphersTalkEitherWayInTheDialersSuite() throws Exception {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node aes = secure(nodes, StaticKey.generate(), "kcp.cipher", "aes-gcm");
            Nodes.Node chacha = secure(nodes, StaticKey.generate(), "kcp.cipher", "chacha20-poly1305");
            Nodes.Node other = secure(nodes, StaticKey.generate(), "kcp.cipher", "auto");
            aes.network().add(chacha.address());
            chacha.network().add(other.address());
            aes.network().broadcast(aes.network().newMessage("hello", new byte[] {1}), chacha.address());
            chacha.network().broadcast(chacha.network().newMessage("hello", new byte[] {2}), other.address());
            Await.until("a message over each session", () -> chacha.inbox().count("hello") == 1 && other.inbox().count("hello") == 1);
            for (Nodes.Node node : List.of(aes, chacha, other)) {
                assertEquals(0, node.network().networkState().unauthenticatedDatagrams(), node.address().toString());
            }
            // Both ends of a session report the dialer's cipher, whatever they would have picked.
            assertEquals(Optional.of("aes-gcm"), aes.network().peerState(chacha.address()).flatMap(PeerState::cipher));
            assertEquals(Optional.of("aes-gcm"), chacha.network().peerState(aes.address()).flatMap(PeerState::cipher));
            assertEquals(Optional.of("chacha20-poly1305"), chacha.network().peerState(other.address()).flatMap(PeerState::cipher));
            assertEquals(Optional.of("chacha20-poly1305"), other.network().peerState(chacha.address()).flatMap(PeerState::cipher));
            assertTrue(other.network().networkState().toString().contains("chacha20-poly1305"), other.network().networkState().toString());
            Nodes.Node plainA = nodes.start();
            Nodes.Node plainB = nodes.start();
            plainA.network().add(plainB.address());
            Await.sent("plain", () -> plainA.network().broadcast(plainA.network().newMessage("hello", new byte[] {3})));
            Await.until("the plain session", () -> plainB.inbox().count("hello") == 1);
            assertEquals(Optional.empty(), plainA.network().peerState(plainB.address()).flatMap(PeerState::cipher), "plain: no cipher");
        }
    }

    /** A HELLO_SECURE naming a suite this version does not know: dropped and counted, never answered. */
    @Test
    void aFirstMessageNamingAnUnknownSuiteIsDroppedAndCounted() throws Exception {
        try (Nodes nodes = new Nodes(); RawPeer raw = new RawPeer()) {
            Nodes.Node b = secure(nodes, StaticKey.generate());
            byte[] ephemeral = StaticKey.generate().publicKey();
            for (int suite : new int[] {0, 3, 255}) {
                raw.send(b.address(), RawPeer.helloSecure(0x5000 + suite, ephemeral, suite));
            }
            Await.until("three unusable first messages counted", () -> b.network().networkState().unauthenticatedDatagrams() == 3);
            assertEquals(java.util.Optional.empty(), raw.receive(Duration.ofMillis(200)), "no WELCOME_SECURE, no REFUSE");
            assertTrue(b.network().networkState().peers().stream().noneMatch(PeerState::connected), b.network().networkState().toString());
            // The same with a suite it knows (2: AESGCM) is answered.
            raw.send(b.address(), RawPeer.helloSecure(0x6000, ephemeral, 2));
            assertEquals(WELCOME_SECURE, RawPeer.kind(raw.receive(Duration.ofSeconds(5)).orElseThrow()));
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
                NodeAddress bThroughLink = link.standInFor(b.address());
                a.network().add(bThroughLink);
                int count = 2_000;
                DeliveryTest.sendAll(a.network(), bThroughLink, 12, count);
                Await.until("all messages at b", () -> checker.received.get() >= count, () -> checker.problems.toString());
                assertEquals(count, checker.end(a.network(), bThroughLink), "nothing lost, nothing duplicated");
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

    /** What an attacker on the path between two secure nodes saw, datagram by datagram, toward one of them. */
    private static final class Wire {
        final List<byte[]> towardB = new CopyOnWriteArrayList<>();
        final List<byte[]> towardA = new CopyOnWriteArrayList<>();

        Wire(LossyLink link, NodeAddress b) {
            link.tap((toward, datagram) -> (toward.equals(b) ? towardB : towardA).add(datagram));
        }

        static int kind(byte[] datagram) {
            return datagram[2];
        }

        static int senderTag(byte[] datagram) {
            return ByteBuffer.wrap(datagram).getInt(3);
        }

        static long count(List<byte[]> datagrams, int kind) {
            return datagrams.stream().filter(d -> kind(d) == kind).count();
        }

        static byte[] lastOf(List<byte[]> datagrams, int kind) {
            List<byte[]> all = List.copyOf(datagrams);
            for (int i = all.size() - 1; i >= 0; i--) {
                if (kind(all.get(i)) == kind) {
                    return all.get(i);
                }
            }
            throw new AssertionError("no datagram of kind " + kind + " seen");
        }
    }

    private static final int HELLO_SECURE = 7;
    private static final int WELCOME_SECURE = 8;
    private static final int CONFIRM = 9;
    private static final int SEALED = 10;

    @Test
    void forgedDatagramsWithTheRightTagsAreDroppedBeforeTheEngine() throws Exception {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = secure(nodes, StaticKey.generate());
            Nodes.Node b = secure(nodes, StaticKey.generate());
            try (LossyLink link = LossyLink.between(a.address(), b.address(), LinkConditions.PERFECT)) {
                Wire wire = new Wire(link, b.address());
                NodeAddress bThroughLink = link.standInFor(b.address());
                a.network().add(bThroughLink);
                a.network().broadcast(a.network().newMessage("before", new byte[] {1}));
                Await.until("the session carries a message", () -> b.inbox().count("before") == 1);
                long handshakesBefore = Wire.count(wire.towardB, HELLO_SECURE) + Wire.count(wire.towardB, CONFIRM);

                // The attacker on the path takes a's real tags from a sealed datagram and forges with them,
                // from the address b expects a's datagrams to come from (docs/PROTOCOL.md).
                byte[] real = Wire.lastOf(wire.towardB, SEALED);
                byte[] header = Arrays.copyOf(real, 11);
                List<byte[]> forgeries = new ArrayList<>();
                forgeries.add(withKind(header, 3, new byte[64]));      // plain DATA: 64 bytes of segment-shaped garbage
                forgeries.add(withKind(header, 4, new byte[0]));       // plain PING
                forgeries.add(withKind(header, 5, new byte[] {2}));    // plain CLOSE
                byte[] tampered = real.clone();
                tampered[tampered.length - 1] ^= 1;                     // one bit of the tag
                forgeries.add(tampered);
                forgeries.add(real.clone());                            // a replay of a datagram b authenticated
                byte[] skipped = real.clone();
                skipped[11] += 2;                                       // two key epochs ahead
                forgeries.add(skipped);
                NetworkState before = b.network().networkState();
                for (byte[] forgery : forgeries) {
                    link.inject(b.address(), forgery);
                }
                link.inject(b.address(), withKind(header, 6, new byte[0])); // plain RESET: ignored, not even counted
                long expected = before.unauthenticatedDatagrams() + forgeries.size();
                Await.until("every forgery counted", () -> b.network().networkState().unauthenticatedDatagrams() >= expected);
                assertEquals(expected, Await.quiet("datagrams counted as unauthenticated", Duration.ofMillis(300),
                        () -> b.network().networkState().unauthenticatedDatagrams()), "each forgery counted once, nothing else");

                a.network().broadcast(a.network().newMessage("after", new byte[] {1}));
                Await.until("the session still works", () -> b.inbox().count("after") == 1);
                NetworkState state = b.network().networkState();
                assertEquals(0, state.malformedInputs(), "nothing reached the engine or the frame reader");
                assertEquals(before.messagesReceived() + 1, state.messagesReceived(), "nothing forged was delivered");
                assertTrue(peer(b, link.standInFor(a.address())).connected(), "neither CLOSE nor RESET ended the session");
                assertEquals(handshakesBefore, Wire.count(wire.towardB, HELLO_SECURE) + Wire.count(wire.towardB, CONFIRM),
                        "the same session carried on: no new handshake");
            }
        }
    }

    private static byte[] withKind(byte[] header, int kind, byte[] payload) {
        byte[] datagram = Arrays.copyOf(header, header.length + payload.length);
        datagram[2] = (byte) kind;
        System.arraycopy(payload, 0, datagram, header.length, payload.length);
        return datagram;
    }

    @Test
    void aRestartedPeerWithTheSameKeyIsReachedThroughANewHandshake() throws Exception {
        StaticKey keyB = StaticKey.generate();
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = secure(nodes, StaticKey.generate());
            Nodes.Node b = secure(nodes, keyB);
            NodeAddress bAddress = b.address();
            try (LossyLink link = LossyLink.between(a.address(), bAddress, LinkConditions.PERFECT)) {
                Wire wire = new Wire(link, bAddress);
                NodeAddress bThroughLink = link.standInFor(bAddress);
                NodeAddress aThroughLink = link.standInFor(a.address());
                a.network().add(bThroughLink);
                b.network().add(aThroughLink);
                b.network().broadcast(b.network().newMessage("hello", new byte[0]));
                Await.until("a message from b over a secure session", () -> a.inbox().count("hello") == 1);
                int oldTag = Wire.senderTag(Wire.lastOf(wire.towardA, SEALED));
                b.network().close();
                int seenTowardA = wire.towardA.size();
                int seenTowardB = wire.towardB.size();

                Nodes.Node b2 = nodes.startOn(bAddress, "kcp.secure", "true", "kcp.node-key", keyB.privateHex());
                b2.network().add(aThroughLink); // the new incarnation dials: its handshake replaces the old session
                Await.until("traffic resumes", () -> {
                    a.network().broadcast(a.network().newMessage("again", new byte[0]));
                    return b2.inbox().count("again") > 0;
                });
                // Copies first: the link's thread keeps adding, and a live sub-list of a CopyOnWriteArrayList would throw.
                List<byte[]> towardA = List.copyOf(wire.towardA);
                List<byte[]> towardB = List.copyOf(wire.towardB);
                List<byte[]> since = new ArrayList<>(towardA.subList(seenTowardA, towardA.size()));
                since.addAll(towardB.subList(seenTowardB, towardB.size()));
                assertTrue(Wire.count(since, HELLO_SECURE) >= 1 && Wire.count(since, CONFIRM) >= 1,
                        "a whole new handshake crossed the link after the restart");
                // What the new b seals toward a (ACKs of "again") may still be on its way: acknowledgements wait up to 1 ms.
                Await.until("the new b seals under a tag of its own",
                        () -> Wire.senderTag(Wire.lastOf(wire.towardA, SEALED)) != oldTag);
                assertArrayEquals(keyB.publicKey(), peer(a, bThroughLink).staticKey().orElseThrow(), "proven by the same key");
            }
        }
    }

    @Test
    void rekeyingEveryFewDatagramsLosesNothingAcrossALossyLink() throws Exception {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = secure(nodes, StaticKey.generate(), "kcp.rekey-after-datagrams", "16");
            Nodes.Node b = secure(nodes, StaticKey.generate(), "kcp.rekey-after-datagrams", "16");
            LinkConditions lossy = LinkConditions.PERFECT.withSeed(9).withDrop(0.05).withReorder(0.05, Duration.ofMillis(10));
            try (LossyLink link = LossyLink.between(a.address(), b.address(), lossy)) {
                Wire wire = new Wire(link, b.address());
                SequenceChecker checker = new SequenceChecker(13);
                checker.expectFrom(link.standInFor(a.address()));
                b.network().registerPlugin(checker);
                NodeAddress bThroughLink = link.standInFor(b.address());
                a.network().add(bThroughLink);
                int count = 3_000;
                DeliveryTest.sendAll(a.network(), bThroughLink, 13, count);
                Await.until("all messages at b", () -> checker.received.get() >= count, () -> checker.problems.toString());
                assertEquals(count, checker.end(a.network(), bThroughLink), "nothing lost, nothing duplicated");
                assertEquals(List.of(), checker.problems);
                // The epoch byte of each sealed datagram names its key: count how often it moved on.
                int changes = 0;
                int epoch = -1;
                for (byte[] datagram : wire.towardB) {
                    if (Wire.kind(datagram) == SEALED && datagram[11] != epoch) {
                        changes++;
                        epoch = datagram[11];
                    }
                }
                assertTrue(changes >= 100, "a's key changed " + changes + " times on the way to b");
            }
        }
    }
}
