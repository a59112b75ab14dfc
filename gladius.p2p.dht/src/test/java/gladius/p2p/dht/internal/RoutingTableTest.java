package gladius.p2p.dht.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NodeAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The table's rules: subnet limits, long-lived nodes kept, replacements, and what closest means. */
class RoutingTableTest {

    private static final int K = 4;
    private final SplittableRandom random = new SplittableRandom(7);
    private final NodeId self = NodeId.random(random);
    private final RoutingTable table = new RoutingTable(self, K, 2, 2, 10,
            a -> a.host().substring(0, a.host().lastIndexOf('.')));

    /** A peer in bucket {@code bucket} (sharing that many leading bits with self) at this host. */
    private Peer peer(int bucket, String host) {
        NodeAddress address = new NodeAddress(host, 4000);
        return new Peer(self.randomInBucket(bucket, random), address, address.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aBucketTakesAtMostTwoNodesOfOneSlash24() {
        assertEquals(RoutingTable.Outcome.ADDED, table.offer(peer(0, "20.0.0.1"), 0));
        assertEquals(RoutingTable.Outcome.ADDED, table.offer(peer(0, "20.0.0.2"), 0));
        assertEquals(RoutingTable.Outcome.REFUSED_BY_SUBNET, table.offer(peer(0, "20.0.0.3"), 0));
        assertEquals(RoutingTable.Outcome.ADDED, table.offer(peer(1, "20.0.0.3"), 0), "another bucket has room for it");
        assertEquals(RoutingTable.Outcome.ADDED, table.offer(peer(0, "20.0.1.3"), 0), "another /24 has room");
        assertEquals(1, table.refusedBySubnet());
        assertEquals(4, table.size());
    }

    @Test
    void theTableTakesAtMostTenNodesOfOneSlash24() {
        for (int bucket = 0; bucket < 5; bucket++) {
            for (int i = 0; i < 2; i++) {
                assertEquals(RoutingTable.Outcome.ADDED, table.offer(peer(bucket, "30.1.2." + (10 * bucket + i)), 0));
            }
        }
        assertEquals(RoutingTable.Outcome.REFUSED_BY_SUBNET, table.offer(peer(6, "30.1.2.99"), 0));
        assertEquals(10, table.size());
    }

    @Test
    void aFullBucketKeepsItsNodesAndCachesTheNewcomer() {
        List<Peer> old = List.of(peer(0, "1.0.0.1"), peer(0, "1.0.1.1"), peer(0, "1.0.2.1"), peer(0, "1.0.3.1"));
        for (Peer p : old) {
            table.offer(p, 0);
        }
        Peer newcomer = peer(0, "1.0.4.1");
        assertEquals(RoutingTable.Outcome.CACHED, table.offer(newcomer, 5));
        assertFalse(table.contains(newcomer.id()));
        assertEquals(1, table.replacementCount(0));
        for (Peer p : old) {
            assertTrue(table.contains(p.id()), "a node held since before stays: " + p);
        }
        // One of the old nodes misses an answer: with a newcomer waiting, it makes room at once.
        table.failed(old.get(2).id(), 10);
        assertFalse(table.contains(old.get(2).id()));
        assertTrue(table.contains(newcomer.id()), "the cached newcomer took its place");
        assertEquals(0, table.replacementCount(0));
    }

    @Test
    void aNodeThatMissedAnAnswerGivesWayToANewcomerThatSpoke() {
        List<Peer> old = List.of(peer(0, "1.0.0.1"), peer(0, "1.0.1.1"), peer(0, "1.0.2.1"), peer(0, "1.0.3.1"));
        for (Peer p : old) {
            table.offer(p, 0);
        }
        table.failed(old.get(1).id(), 1); // no newcomer waiting: it stays, marked
        assertTrue(table.contains(old.get(1).id()));
        Peer newcomer = peer(0, "1.0.5.1");
        assertEquals(RoutingTable.Outcome.ADDED, table.offer(newcomer, 2));
        assertFalse(table.contains(old.get(1).id()));
        assertEquals(K, table.bucketSize(0));
    }

    @Test
    void aNodeLeavesAfterTwoUnansweredRequestsAndAnAnswerForgivesOne() {
        Peer p = peer(3, "9.9.9.9");
        table.offer(p, 0);
        table.failed(p.id(), 1);
        table.answered(p.id(), 2);
        table.failed(p.id(), 3);
        assertTrue(table.contains(p.id()), "an answer in between resets the count");
        table.failed(p.id(), 4);
        assertFalse(table.contains(p.id()));
    }

    @Test
    void thisNodeIsNeverInItsTable() {
        assertEquals(RoutingTable.Outcome.SELF, table.offer(new Peer(self, new NodeAddress("2.2.2.2", 1), new byte[1]), 0));
        assertEquals(0, table.size());
    }

    @Test
    void closestIsByXorDistance() {
        for (int i = 0; i < 40; i++) {
            table.offer(peer(random.nextInt(8), "40." + i + ".0.1"), 0);
        }
        NodeId target = NodeId.random(random);
        List<Peer> closest = table.closest(target, 5);
        assertEquals(5, closest.size());
        for (int i = 1; i < closest.size(); i++) {
            assertTrue(target.compareDistance(closest.get(i - 1).id(), closest.get(i).id()) < 0);
        }
        for (RoutingTable.Entry e : table.entries()) {
            if (!closest.contains(e.peer)) {
                assertTrue(target.compareDistance(closest.get(4).id(), e.peer.id()) < 0, "none outside is closer");
            }
        }
    }

    @Test
    void randomInBucketSharesExactlyThatPrefix() {
        for (int bucket : new int[] {0, 1, 7, 8, 9, 100, 255}) {
            assertEquals(bucket, self.commonPrefix(self.randomInBucket(bucket, random)));
        }
    }
}
