package gladius.p2p.kcp.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The sender's overload answer as arithmetic: rounds are driven by hand, no sockets (those are DeliveryTest's). */
class SendControlTest {

    private long sn;

    /** One round: a flight of {@code flight} segments sent at {@code now}, each acknowledged {@code rtt} later. */
    private long round(SendControl control, long now, int flight, long rtt) {
        long una = sn;
        sn += flight;
        control.flushed(now, sn, una, 0, 0, 30);
        control.heard();
        for (long acked = una; acked < sn; acked++) {
            control.acknowledged(now + rtt, (int) acked, rtt);
        }
        return now + rtt;
    }

    @Test
    void theWindowStartsSmallAndDoublesWhileRoundsAreUsedAndShort() {
        SendControl control = new SendControl(true, 256, 100, 1);
        assertEquals(SendControl.MIN_WINDOW, control.window());
        long now = round(control, 0, 32, 1);
        assertEquals(64, control.window());
        now = round(control, now, 64, 1);
        now = round(control, now, 128, 1);
        assertEquals(256, control.window(), "never above kcp.send-window");
        round(control, now, 2, 1);
        assertEquals(256, control.window(), "a round that used little of it does not grow it");
    }

    @Test
    void aRoundThatQueuesShrinksTheWindowByAQuarterAndEndsSlowStart() {
        SendControl control = new SendControl(true, 256, 100, 1);
        long now = round(control, 0, 32, 1); // least RTT 1 ms; window 64
        now = round(control, now, 64, 1 + SendControl.QUEUE_ALLOWANCE_MILLIS + 1);
        assertEquals(48, control.window());
        round(control, now, 48, 1);
        assertEquals(48 + 6, control.window(), "after the first sign of overload it grows by an eighth, not twice");
    }

    @Test
    void aTimeoutHalvesTheWindowAndBacksOffUntilThePeerIsHeard() {
        SendControl control = new SendControl(true, 256, 100, 1);
        long now = round(control, 0, 32, 1);
        now = round(control, now, 64, 1); // window 128
        control.flushed(now, sn, sn - 10, 10, 10, 120);
        assertEquals(64, control.window());
        assertEquals(now + 120, control.holdUntil(), "no resend before the engine's timeout has passed again");
        control.flushed(now + 120, sn, sn - 10, 10, 10, 120);
        assertEquals(now + 120 + 240, control.holdUntil(), "and twice that after the next");
        assertEquals(64, control.window(), "one halving per silence, not one per resend");
        control.heard();
        assertEquals(0, control.holdUntil());
    }

    @Test
    void theTimeoutFloorFollowsTheMeasuredRoundTripAboveTheMinimum() {
        SendControl control = new SendControl(true, 256, 30, 1);
        assertEquals(30, control.minRto(), "kcp.min-rto until a round trip is measured");
        long now = 0;
        for (int i = 0; i < 20; i++) {
            now = round(control, now, 32, i % 2 == 0 ? 40 : 60);
        }
        int floor = control.minRto();
        assertTrue(floor >= 60 && floor <= 120, "srtt ~50 + 4 x rttvar + 1: " + control);
        assertEquals(50, control.smoothedRttMillis(), 5);
    }

    @Test
    void jitterAloneIsNotQueueing() {
        SendControl control = new SendControl(true, 256, 100, 1);
        long now = round(control, 0, 32, 1); // least RTT 1 ms; window 64
        for (int r = 0; r < 4; r++) {
            // Every acknowledgement 8 to 60 ms late, spread as on a link with jitter: the least of a
            // round is above the path's least by more than 5 ms, but well within its variation.
            long una = sn;
            sn += control.window();
            control.flushed(now, sn, una, 0, 0, 100);
            for (long acked = una; acked < sn; acked++) {
                control.acknowledged(now + 60, (int) acked, 8 + (acked * 7) % 53);
            }
            now += 60;
        }
        assertEquals(256, control.window(), "rounds whose least round trip stayed within the path's variation keep growing");
    }

    @Test
    void lossRepairedByFastResendGivesSamplesAndKeepsTheWindow() {
        SendControl control = new SendControl(true, 256, 30, 1);
        long now = 0;
        for (int r = 0; r < 3; r++) {
            long una = sn;
            sn += control.window();
            control.flushed(now, sn, una, 0, 0, 30);
            control.flushed(now + 2, sn, una, 3, 0, 30); // fast resends within the round
            for (long acked = una; acked < sn; acked++) {
                control.acknowledged(now + 5, (int) acked, 3); // each ACK echoes its own transmission's time
            }
            now += 5;
        }
        assertEquals(3, control.smoothedRttMillis(), "the echoed times are exact whatever was resent");
        assertEquals(256, control.window(), "loss alone does not shrink the window");
    }

    @Test
    void anAcknowledgementWithATimeInTheFutureIsIgnored() {
        SendControl control = new SendControl(true, 256, 30, 1);
        control.flushed(0, 32, 0, 0, 0, 30);
        control.acknowledged(5, 31, -4000);
        assertEquals(-1, control.smoothedRttMillis());
    }

    @Test
    void offItLeavesKcpAlone() {
        SendControl control = new SendControl(false, 256, 30, 1);
        assertEquals(256, control.window());
        control.flushed(0, 256, 0, 256, 256, 30);
        assertEquals(256, control.window());
        assertEquals(0, control.holdUntil());
        assertEquals(30, control.minRto());
    }
}
