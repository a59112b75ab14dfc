package gladius.p2p.kcp.internal.core;

/**
 * The sender's answer to overload, for one {@link Stream} (kcp.overload-backoff, on by default).
 * KCP in fast mode has no such answer: with its congestion window off it keeps a whole send window
 * in flight however slowly the receiver drains it, its retransmission timer follows RTT samples
 * taken many times per round trip (so their variance collapses to nothing), and a segment that
 * timed out is resent every half RTO after that. On a receiver that is merely descheduled, or
 * still warming up, that resends whole windows of segments that were never lost, which slows the
 * receiver further (docs/BENCHMARKS.md, "Resends on a clean link"). This class keeps three
 * things the engine is then given:
 *
 * <ul>
 *   <li><b>a round-trip estimate of its own</b>: every KCP acknowledgement echoes the send time of
 *       the transmission it acknowledges, so each one is an exact round trip, whatever was lost
 *       or resent before it (as TCP timestamps are). A round runs from a flush that sent new
 *       segments to the first acknowledgement of its last one; that acknowledgement's round trip
 *       is the round's sample, smoothed as RFC 6298 says; the least of all acknowledgements of
 *       the last ten seconds is the path's own delay;</li>
 *   <li><b>a floor for the engine's retransmission timeout</b>: smoothed RTT + 4 × its variance
 *       + the receiver's ACK delay (QUIC's probe timeout, RFC 9002), never below kcp.min-rto.
 *       Taken once a round, the variance does not shrink to nothing as KCP's does when it is fed
 *       every ACK of a round;</li>
 *   <li><b>a window</b> (segments in flight): it starts at {@link #MIN_WINDOW}; a quarter smaller
 *       after a round whose <em>least</em> round trip rose more than the queueing allowance above
 *       the path's (a standing queue at the receiver or on the path: every acknowledgement of the
 *       round waited, not just some, as they do on a link with jitter), half after a timeout;
 *       after a round that used half of it without either, twice as large until the first of
 *       those signs (slow start), an eighth larger after it; never above kcp.send-window. Loss
 *       alone does not shrink it: on a lossy link fast resends repair what is lost at full speed,
 *       and only a timeout (the peer went silent, or a burst was lost) halves it;</li>
 * </ul>
 *
 * <p>and, after a timeout, an exponential back-off: no timer-driven resend before the previous
 * wait has doubled (RFC 6298 section 5.5), until anything is heard from the peer again.
 * Overload then fills the peer's queue, where a message is refused and counted, instead of
 * multiplying datagrams on the wire. Event loop only.
 */
final class SendControl {

    /** The smallest window (or kcp.send-window if smaller): enough to keep ACKs coming every {@code Stream.ACK_EVERY_DATAGRAMS}. */
    static final int MIN_WINDOW = 32;
    /** How far above the least RTT a round may go before it counts as queueing, at the least. */
    static final long QUEUE_ALLOWANCE_MILLIS = 5;
    private static final long RTT_WINDOW_MILLIS = 10_000;
    private static final long MAX_BACKOFF_MILLIS = 10_000;

    private final boolean enabled;
    private final int minWindow;
    private final int maxWindow;
    private final long minRto;
    private final long ackDelay;

    private int window;
    /** Until the first sign of overload the window doubles each round (slow start); after it, it grows by an eighth. */
    private boolean slowStart = true;
    /** The segment whose acknowledgement ends this round, and the flight when the round began; -1 if none. */
    private long probeSn = -1;
    private long probeFlight;
    /** The least round trip of any acknowledgement in this round. */
    private long roundLeast = Long.MAX_VALUE;
    /** The engine's next sequence number after the previous flush. */
    private long lastSndNxt;
    private boolean sampled;
    private double srtt;
    private double rttvar;
    private long minRtt = Long.MAX_VALUE;
    private long minRttAt;
    /** Since the last timeout with nothing heard from the peer after it: the wait before the next resend, and its end. */
    private long backoff;
    private long holdUntil;

    /**
     * @param enabled kcp.overload-backoff: false leaves the window at maxWindow and the floor at minRto
     * @param maxWindow kcp.send-window
     * @param minRtoMillis kcp.min-rto
     * @param ackDelayMillis how long the receiver may hold an ACK
     */
    SendControl(boolean enabled, int maxWindow, long minRtoMillis, long ackDelayMillis) {
        this.enabled = enabled;
        this.minWindow = Math.min(MIN_WINDOW, maxWindow);
        this.maxWindow = maxWindow;
        this.minRto = minRtoMillis;
        this.ackDelay = ackDelayMillis;
        this.window = enabled ? minWindow : maxWindow;
    }

    /** Segments that may be in flight now. */
    int window() {
        return window;
    }

    /** The floor for the engine's retransmission timeout, in milliseconds. */
    int minRto() {
        if (!enabled || !sampled) {
            return (int) minRto;
        }
        double rto = srtt + Math.max(4 * rttvar, 1) + ackDelay;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(minRto, (long) Math.ceil(rto)));
    }

    /** The smoothed round trip in milliseconds, or -1 before the first sample. */
    int smoothedRttMillis() {
        return sampled ? (int) Math.round(srtt) : -1;
    }

    /** No timer-driven flush before this (a resend back-off), or 0. */
    long holdUntil() {
        return holdUntil;
    }

    /**
     * The engine flushed at {@code now}: {@code resent} segments went out again, {@code timeouts}
     * of them because their timer ran out. Starts a round if none is open and this flush sent a
     * segment for the first time.
     */
    void flushed(long now, long sndNxt, long una, long resent, int timeouts, int engineRto) {
        if (timeouts > 0) {
            timedOut(now, engineRto);
        }
        long sentBefore = lastSndNxt;
        lastSndNxt = sndNxt;
        if (probeSn < 0 && sndNxt > sentBefore) {
            probeSn = sndNxt - 1;
            probeFlight = sndNxt - una;
            roundLeast = Long.MAX_VALUE;
        }
    }

    private void timedOut(long now, int engineRto) {
        if (!enabled) {
            return;
        }
        if (backoff == 0) {
            window = Math.max(minWindow, window / 2);
            slowStart = false;
            backoff = Math.max(1, engineRto);
        } else {
            backoff = Math.min(2 * backoff, MAX_BACKOFF_MILLIS);
        }
        holdUntil = now + backoff;
    }

    /**
     * Something came from the peer: it is not silent, so a resend back-off ends. (Not only an
     * acknowledgement that moves the window: while a lost segment is missing, the window stands
     * still and ACKs of later segments are what shows the peer is there.)
     */
    void heard() {
        backoff = 0;
        holdUntil = 0;
    }

    /**
     * The peer acknowledged segment {@code sn} (32-bit serial), sent {@code rtt} milliseconds ago
     * by the timestamp it echoes. The first acknowledgement of the round's last segment, or of a
     * later one, ends the round.
     */
    void acknowledged(long now, int sn, long rtt) {
        if (rtt < 0) {
            return; // not a time this sender gave: ignore
        }
        roundLeast = Math.min(roundLeast, rtt);
        if (rtt <= minRtt || now - minRttAt > RTT_WINDOW_MILLIS) {
            minRtt = rtt;
            minRttAt = now;
        }
        if (probeSn >= 0 && sn - (int) probeSn >= 0) {
            probeSn = -1;
            sample(rtt, roundLeast);
        }
    }

    private void sample(long rtt, long least) {
        if (!sampled) {
            srtt = rtt;
            rttvar = rtt / 2.0;
            sampled = true;
        } else {
            rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - rtt);
            srtt = 0.875 * srtt + 0.125 * rtt;
        }
        if (!enabled) {
            return;
        }
        if (least > minRtt + queueAllowance()) {
            window = Math.max(minWindow, window - window / 4);
            slowStart = false;
        } else if (probeFlight >= window / 2) {
            window = Math.min(maxWindow, slowStart ? 2 * window : window + Math.max(2, window / 8));
        }
    }

    /**
     * How far above the path's least round trip a round's least may be before it counts as
     * queueing: 5 ms, half the path's round trip, or twice its measured variation, whichever is
     * largest (a path with jitter has rounds whose every acknowledgement was merely unlucky).
     */
    private double queueAllowance() {
        return Math.max(QUEUE_ALLOWANCE_MILLIS, Math.max(minRtt / 2.0, 2 * rttvar));
    }

    @Override
    public String toString() {
        return "window " + window + ", srtt " + Math.round(srtt) + "ms, rttvar " + Math.round(rttvar) + "ms, min rtt "
                + (minRtt == Long.MAX_VALUE ? "-" : minRtt + "ms") + ", rto floor " + minRto() + "ms, back-off " + backoff + "ms";
    }
}
