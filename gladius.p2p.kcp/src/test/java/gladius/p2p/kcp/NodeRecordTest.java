package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NodeAddress;
import gladius.p2p.NodeRecord;
import gladius.p2p.PeerState;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Signed node records (docs/PROTOCOL.md, section 8): a secure node signs where it can be
 * reached, sends that to each peer over their session, makes a new one when its peers see it
 * elsewhere, and a record that anyone changed, or signed for a key they do not hold, reads as
 * nothing.
 */
class NodeRecordTest {

    @Test
    void aSecureNodeSignsItsAddressAndItsPeersHoldTheRecord() {
        try (Nodes nodes = new Nodes(Mode.SECURE_EPOLL)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            NodeRecord own = a.network().localRecord().orElseThrow();
            assertEquals(a.network().networkState().key().orElseThrow(), own.key());
            assertEquals(java.util.List.of(a.address()), own.addresses(), "it listens on one address: that one");

            b.network().add(a.address());
            Await.until("b holding a's record", () -> b.network().networkState().peer(a.address()).flatMap(PeerState::record).isPresent());
            NodeRecord held = b.network().networkState().peer(a.address()).flatMap(PeerState::record).orElseThrow();
            assertArrayEquals(own.encoded(), held.encoded(), "the record a signed, unchanged");
            assertEquals(Optional.of(own.key()), b.network().readRecord(held.encoded()).map(NodeRecord::key));
        }
    }

    @Test
    void aChangedByteOrAnotherKeysRecordReadsAsNothing() {
        try (Nodes nodes = new Nodes(Mode.SECURE_EPOLL)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            byte[] record = a.network().localRecord().orElseThrow().encoded();
            for (int i = 0; i < record.length; i++) {
                byte[] changed = record.clone();
                changed[i] ^= 1;
                assertEquals(Optional.empty(), b.network().readRecord(changed), "byte " + i + " changed");
            }
            // b's key and signature around a's address: b can sign for itself, not claim to be a.
            byte[] bRecord = b.network().localRecord().orElseThrow().encoded();
            byte[] spliced = record.clone();
            System.arraycopy(bRecord, 1 + 32, spliced, 1 + 32, 32); // b's signing key in a's record
            assertEquals(Optional.empty(), b.network().readRecord(spliced));
            assertEquals(Optional.empty(), b.network().readRecord(new byte[0]));
            assertEquals(Optional.empty(), b.network().readRecord(new byte[4096]));
        }
    }

    @Test
    void whenPeersSeeANodeElsewhereItSignsThatAddressAndSendsTheNewRecord() {
        try (Nodes nodes = new Nodes(Mode.SECURE_EPOLL)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            try (LossyLink link = LossyLink.between(a.address(), b.address(), LinkConditions.PERFECT)) {
                NodeAddress aAsSeen = link.standInFor(a.address());
                long first = a.network().localRecord().orElseThrow().sequence();
                a.network().add(link.standInFor(b.address()));
                // b reports where it sees a (the link's address for it) in its pings: a's record gains that address.
                Await.until("a's record naming where b sees it", () -> a.network().localRecord().orElseThrow()
                        .addresses().contains(aAsSeen), () -> a.network().localRecord().toString());
                NodeRecord newer = a.network().localRecord().orElseThrow();
                assertTrue(newer.sequence() > first, newer.toString());
                Await.until("b holding the newer record", () -> b.network().networkState().peer(aAsSeen)
                        .flatMap(PeerState::record).map(NodeRecord::sequence).orElse(0L) == newer.sequence());
            }
        }
    }

    @Test
    void aPlainNetworkHasNoRecords() {
        try (Nodes nodes = new Nodes(Mode.PLAIN_EPOLL); Nodes secure = new Nodes(Mode.SECURE_EPOLL)) {
            Nodes.Node plain = nodes.start();
            assertEquals(Optional.empty(), plain.network().localRecord());
            byte[] valid = secure.start().network().localRecord().orElseThrow().encoded();
            assertEquals(Optional.empty(), plain.network().readRecord(valid), "it checks no signatures");
        }
    }
}
