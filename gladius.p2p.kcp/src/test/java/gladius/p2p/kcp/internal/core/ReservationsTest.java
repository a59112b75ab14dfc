package gladius.p2p.kcp.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a node behind a NAT asks relays for reservations (Reservations), in virtual time. */
class ReservationsTest {

    private static Peer relay(int n) {
        return new Peer(new InetSocketAddress("198.18.0." + n, 7000), 16, Duration.ofMillis(100), Duration.ofSeconds(30));
    }

    @Test
    void aNodeThatIsNotBehindANatAsksNobody() {
        Reservations reservations = new Reservations(2);
        assertEquals(List.of(), reservations.due(List.of(relay(1), relay(2)), false, 0));
    }

    @Test
    void itAsksAsManyAsItWantsAndNoMoreThenRenewsAtHalfTheLifetime() {
        Reservations reservations = new Reservations(2);
        Peer a = relay(1);
        Peer b = relay(2);
        Peer c = relay(3);
        assertEquals(List.of(a, b), reservations.due(List.of(a, b, c), true, 0));
        assertEquals(List.of(), reservations.due(List.of(a, b, c), true, 500), "the answers may still come");
        reservations.answered(a, Datagram.RESERVED_OK, 120, 600);
        reservations.answered(b, Datagram.RESERVED_OK, 120, 600);
        assertTrue(reservations.holds(a, 600) && reservations.holds(b, 600));
        assertFalse(reservations.holds(c, 600));
        assertEquals(List.of(), reservations.due(List.of(a, b, c), true, 59_000));
        assertEquals(List.of(a, b), reservations.due(List.of(a, b, c), true, 60_600), "renewed at half the lifetime");
        assertFalse(reservations.holds(a, 120_600), "a reservation not renewed runs out");
    }

    @Test
    void aRelayThatDoesNotAnswerIsAskedThreeTimesThenLeftAloneAndAnotherAsked() {
        Reservations reservations = new Reservations(1);
        Peer silent = relay(1);
        Peer other = relay(2);
        List<Peer> both = List.of(silent, other);
        assertEquals(List.of(silent), reservations.due(both, true, 0));
        assertEquals(List.of(silent), reservations.due(both, true, 1_000));
        assertEquals(List.of(silent), reservations.due(both, true, 2_000));
        assertEquals(List.of(other), reservations.due(both, true, 3_000), "after three tries, the next relay");
        reservations.answered(other, Datagram.RESERVED_OK, 120, 3_100);
        assertEquals(1, reservations.held(3_100));
    }

    @Test
    void aRefusalOrAnAnswerNobodyAskedForHoldsNothing() {
        Reservations reservations = new Reservations(1);
        Peer full = relay(1);
        reservations.answered(full, Datagram.RESERVED_OK, 120, 0);
        assertFalse(reservations.holds(full, 0), "not asked: ignored");
        assertEquals(List.of(full), reservations.due(List.of(full), true, 0));
        reservations.answered(full, Datagram.RESERVED_FULL, 0, 10);
        assertFalse(reservations.holds(full, 10));
        assertEquals(List.of(), reservations.due(List.of(full), true, 30_000), "left alone for a minute");
        assertEquals(List.of(full), reservations.due(List.of(full), true, 60_010));
    }
}
