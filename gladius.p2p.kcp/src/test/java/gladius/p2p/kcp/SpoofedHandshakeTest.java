package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A handshake never ends a live session until the new one has completed (WireGuard's rule,
 * docs/SECURITY.md): one datagram from anyone who can put the peer's address on it (an attacker
 * off the path spoofing it, here {@link LossyLink#inject}) must not be able to end a session.
 * A peer that really restarted proves it by finishing its handshake, and only then replaces the
 * old session (ChurnTest, RouteTableTest).
 */
class SpoofedHandshakeTest {

    private static final int HELLO = 1;
    private static final int WELCOME = 2;
    private static final int DATA = 3;
    private static final int WELCOME_SECURE = 8;
    private static final int SEALED = 10;

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"PLAIN_EPOLL", "SECURE_EPOLL"})
    void aSpoofedHelloWithANewTagDoesNotEndALiveSession(Mode mode) {
        boolean secure = mode.settings().get("kcp.secure").equals("true");
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            try (LossyLink link = LossyLink.between(a.address(), b.address(), LinkConditions.PERFECT)) {
                // What b sends toward a: each datagram's kind and tags.
                List<int[]> towardA = new CopyOnWriteArrayList<>();
                link.tap((toward, datagram) -> {
                    if (toward.equals(a.address()) && datagram.length >= 11) {
                        ByteBuffer d = ByteBuffer.wrap(datagram);
                        towardA.add(new int[] {d.get(2), d.getInt(3), d.getInt(7)});
                    }
                });
                NodeAddress bAsSeen = link.standInFor(b.address());
                NodeAddress aAsSeen = link.standInFor(a.address());
                a.network().add(bAsSeen);
                a.network().broadcast(a.network().newMessage("before", new byte[] {1}), bAsSeen);
                Await.until("the session up and a message through", () -> b.inbox().count("before") == 1);
                b.network().broadcast(b.network().newMessage("back", new byte[] {1}), aAsSeen);
                Await.until("b's answer at a", () -> a.inbox().count("back") == 1);
                int dataKind = secure ? SEALED : DATA;
                int bTag = towardA.stream().filter(d -> d[0] == dataKind).findFirst().orElseThrow()[1];

                // One datagram from "a" (its address as b sees it): a HELLO with a tag a never chose.
                int spoofedTag = 0x5EED_0001;
                byte[] hello;
                if (secure) {
                    byte[] ephemeral = new byte[32];
                    new SplittableRandom(9).nextBytes(ephemeral);
                    hello = RawPeer.helloSecure(spoofedTag, ephemeral, 1); // 1: ChaCha20-Poly1305
                } else {
                    hello = RawPeer.header(HELLO, spoofedTag, 0);
                }
                link.inject(b.address(), hello);
                int answer = secure ? WELCOME_SECURE : WELCOME;
                Await.until("b's answer to the spoofed HELLO", () -> towardA.stream().anyMatch(d -> d[0] == answer && d[2] == spoofedTag));

                PeerState aAtB = b.network().networkState().peer(aAsSeen).orElseThrow();
                assertTrue(aAtB.connected(), "b's session with a is still up: " + aAtB);
                int before = towardA.size();
                b.network().broadcast(b.network().newMessage("after", new byte[] {2}), aAsSeen);
                a.network().broadcast(a.network().newMessage("after", new byte[] {3}), bAsSeen);
                Await.until("messages both ways on the old session", () -> a.inbox().count("after") == 1 && b.inbox().count("after") == 1);
                // A snapshot: the link goes on recording (keepalives, acknowledgements) while this reads, and a
                // view of the live list throws ConcurrentModificationException when it grows under it.
                List<int[]> recorded = List.copyOf(towardA);
                List<int[]> since = recorded.subList(before, recorded.size());
                assertTrue(since.stream().filter(d -> d[0] == dataKind).allMatch(d -> d[1] == bTag),
                        "b's data still goes out under its old tag");
                assertEquals(0, a.network().networkState().sessionsRefused() + b.network().networkState().sessionsRefused());
            }
        }
    }
}
