package gladius.p2p.kcp.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** A relay's circuit rules (Relay.Circuits) on their own, in virtual time: no socket, no session. */
class RelayCircuitsTest {

    private static InetSocketAddress peer(int n) {
        return new InetSocketAddress("198.18.0." + n, 7000);
    }

    @Test
    void aCircuitOpensOnlyTowardAReservedPeerAndThenCarriesBothWays() {
        Relay.Circuits circuits = new Relay.Circuits(4, 4, 10_000, 100_000);
        assertFalse(circuits.admit(peer(1), peer(2), false, 100, 0), "no reservation, no circuit");
        assertEquals(0, circuits.size());
        assertTrue(circuits.admit(peer(1), peer(2), true, 100, 0));
        assertTrue(circuits.admit(peer(2), peer(1), false, 100, 0), "the answer goes back on the open circuit");
        assertEquals(1, circuits.size());
    }

    @Test
    void onePeerOpensAtMostItsShareAndOthersStillGetCircuits() {
        Relay.Circuits circuits = new Relay.Circuits(4, 2, 10_000, 100_000);
        for (int target = 10; target < 14; target++) {
            circuits.admit(peer(1), peer(target), true, 100, 0);
        }
        assertEquals(2, circuits.openedBy(peer(1)));
        assertTrue(circuits.admit(peer(2), peer(20), true, 100, 0), "another peer gets one");
        assertTrue(circuits.admit(peer(3), peer(21), true, 100, 0));
        assertFalse(circuits.admit(peer(4), peer(22), true, 100, 0), "the relay's own limit");
        assertEquals(4, circuits.size());
    }

    @Test
    void aDatagramRefusedForItsBudgetKeepsNothingAlive() {
        Relay.Circuits circuits = new Relay.Circuits(1, 1, 1_000, 100_000);
        assertTrue(circuits.admit(peer(1), peer(2), true, 1_000, 0));
        // The circuit's second's worth is spent: everything refused from here on, and none of it counts as use.
        for (long now = 1; now <= 50; now++) {
            assertFalse(circuits.admit(peer(1), peer(2), true, 1_000, now));
        }
        circuits.expire(60, 50);
        assertEquals(0, circuits.size(), "idle since its last datagram that went, at 0");
        assertTrue(circuits.admit(peer(3), peer(4), true, 100, 61), "its place is free for another pair");
    }

    @Test
    void allCircuitsTogetherStayUnderTheTotal() {
        Relay.Circuits circuits = new Relay.Circuits(8, 8, 1_000, 1_500);
        assertTrue(circuits.admit(peer(1), peer(2), true, 1_000, 0));
        assertFalse(circuits.admit(peer(3), peer(4), true, 1_000, 0), "each pair within its own budget, not both within the total");
        assertTrue(circuits.admit(peer(3), peer(4), true, 1_000, 1_000), "a second later the total has room again");
    }
}
