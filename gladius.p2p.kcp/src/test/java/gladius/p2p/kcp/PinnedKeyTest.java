package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Contact;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.PeerState;
import gladius.p2p.testing.Await;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A node is its key (docs/SECURITY.md): a dial may name the key it expects
 * ({@code Network.add(Contact)}), and a session at that address that proves another key fails,
 * whichever side dialed. Secure nodes on real sockets; a plain network says it cannot check one.
 */
class PinnedKeyTest {

    private static final NodeKey SOMEONE_ELSE = NodeKey.parse("11".repeat(32));

    private static NodeKey key(Nodes.Node node) {
        return node.network().networkState().key().orElseThrow();
    }

    private static boolean connected(Nodes.Node node, NodeAddress peer) {
        return node.network().networkState().peer(peer).map(PeerState::connected).orElse(false);
    }

    @Test
    void aDialPinnedToAnotherKeyFailsIsCountedAndNeverConnects() {
        try (Nodes nodes = new Nodes(Mode.SECURE_EPOLL)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            a.network().add(new Contact(SOMEONE_ELSE, b.address()));
            assertEquals(Optional.of(SOMEONE_ELSE), a.network().networkState().peer(b.address()).flatMap(PeerState::key),
                    "before any session, the pinned key is the peer's");
            Await.until("a refusing what b proved", () -> a.network().networkState().sessionsRefused() > 0);
            Await.until("b told of it", () -> b.network().networkState().sessionsRefused() > 0);
            assertFalse(connected(a, b.address()), a.network().networkState().toString());
            a.network().broadcast(a.network().newMessage("secret", new byte[] {1}), b.address());

            // Pinned to the right key, the same address connects, and the message that waited goes.
            a.network().add(new Contact(key(b), b.address()));
            Await.until("a connected to b", () -> connected(a, b.address()), () -> a.network().networkState().toString());
            assertEquals(Optional.of(key(b)), a.network().networkState().peer(b.address()).flatMap(PeerState::key));
            Await.until("the message at b", () -> b.inbox().count("secret") == 1);
        }
    }

    @Test
    void aNodeThatDialsInWithAnotherKeyThanThePinnedOneIsRefused() {
        try (Nodes nodes = new Nodes(Mode.SECURE_EPOLL)) {
            // A redial this slow that a's own dial, once refused, waits 50 s: the next handshake is b's.
            Nodes.Node a = nodes.start("kcp.redial-min", "5s");
            Nodes.Node b = nodes.start();
            a.network().add(new Contact(SOMEONE_ELSE, b.address()));
            Await.until("a's own dial refused (a the initiator)", () -> a.network().networkState().sessionsRefused() >= 1);
            b.network().add(a.address());
            Await.until("b's dial refused too (a the responder)", () -> a.network().networkState().sessionsRefused() >= 2,
                    () -> a.network().networkState().toString());
            // b, the dialer, counts itself established once it has sent its third message; a's REFUSE
            // ends that. Until it arrives b looks connected: wait for b to have heard both refusals.
            Await.until("b told of both refusals", () -> b.network().networkState().sessionsRefused() >= 2,
                    () -> b.network().networkState().toString());
            assertFalse(connected(a, b.address()), a.network().networkState().toString());
            assertFalse(connected(b, a.address()), b.network().networkState().toString());
        }
    }

    @Test
    void pinningAnotherKeyOnALiveSessionEndsIt() {
        try (Nodes nodes = new Nodes(Mode.SECURE_EPOLL)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            a.network().add(b.address());
            Await.until("a connected to b", () -> connected(a, b.address()));
            assertFalse(a.network().add(new Contact(SOMEONE_ELSE, b.address())), "the address was in the table already");
            Await.until("the session that proved b's key ended", () -> !connected(a, b.address()));
            Await.until("and the redial refused", () -> a.network().networkState().sessionsRefused() > 0);
            NetworkState state = a.network().networkState();
            assertEquals(Optional.of(SOMEONE_ELSE), state.peer(b.address()).flatMap(PeerState::key), state.toString());
        }
    }

    @Test
    void aPlainNetworkCannotPinAKeyAndSaysWhy() {
        try (Nodes nodes = new Nodes(Mode.PLAIN_EPOLL)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> a.network().add(new Contact(SOMEONE_ELSE, b.address())));
            assertTrue(refused.getMessage().contains("kcp.secure"), refused.getMessage());
            assertEquals(Optional.empty(), a.network().networkState().peer(b.address()), "nothing was added");
        }
    }

    @Test
    void contactsReadAndWriteAsKeyAtAddress() {
        Contact contact = Contact.parse(SOMEONE_ELSE + "@127.0.0.1:7000");
        assertEquals(SOMEONE_ELSE, contact.key());
        assertEquals(new NodeAddress("127.0.0.1", 7000), contact.address());
        assertEquals(contact, Contact.parse(contact.toString()));
        assertThrows(IllegalArgumentException.class, () -> Contact.parse("127.0.0.1:7000"));
        assertThrows(IllegalArgumentException.class, () -> Contact.parse("abc@127.0.0.1:7000"));
        IllegalArgumentException pasted = assertThrows(IllegalArgumentException.class, () -> NodeKey.parse("ab".repeat(33)));
        assertFalse(pasted.getMessage().contains("abab"), "a key's digits are never echoed: " + pasted.getMessage());
    }
}
