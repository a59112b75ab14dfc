package gladius.p2p.latency.internal;

import gladius.p2p.NodeAddress;
import gladius.p2p.latency.PeerLatency;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

/**
 * One peer's probes: the ones outstanding, and the outcomes and round trips of the last
 * {@code window}. Every array is sized by the window, so a peer costs a fixed amount of memory.
 * Not thread-safe: the plugin guards it.
 */
final class ProbeWindow {

    private static final double EWMA_WEIGHT = 1.0 / 8;

    private record Probe(long sequence, long sentNanos) {}

    private final NodeAddress peer;
    private final int window;
    private final ArrayDeque<Probe> outstanding = new ArrayDeque<>();
    private final long[] roundTrips;
    private int roundTripCount;
    private int roundTripNext;
    private final boolean[] lost;
    private int outcomeCount;
    private int outcomeNext;
    private int lostInWindow;
    private double ewmaNanos = Double.NaN;
    private long nextSequence;
    private long sent;
    private long answered;
    private long lostTotal;

    ProbeWindow(NodeAddress peer, int window) {
        this.peer = peer;
        this.window = window;
        this.roundTrips = new long[window];
        this.lost = new boolean[window];
    }

    /** Starts a probe; returns its sequence number. The oldest outstanding probe is lost if the window is full of them. */
    long send(long nowNanos) {
        if (outstanding.size() == window) {
            outstanding.poll();
            record(true);
        }
        long sequence = nextSequence++;
        outstanding.add(new Probe(sequence, nowNanos));
        sent++;
        return sequence;
    }

    /**
     * An answer arrived.
     *
     * @return false if it matches no outstanding probe (unknown, already lost, or a forged timestamp)
     */
    boolean answer(long sequence, long echoedNanos, long nowNanos, long timeoutNanos) {
        for (Iterator<Probe> it = outstanding.iterator(); it.hasNext(); ) {
            Probe probe = it.next();
            if (probe.sequence == sequence) {
                if (probe.sentNanos != echoedNanos) {
                    return false;
                }
                it.remove();
                long roundTrip = nowNanos - probe.sentNanos;
                if (roundTrip > timeoutNanos) {
                    record(true);
                } else {
                    record(false);
                    sample(roundTrip);
                }
                return true;
            }
        }
        return false;
    }

    /** Declares lost every probe outstanding for longer than the timeout. */
    void expire(long nowNanos, long timeoutNanos) {
        while (!outstanding.isEmpty() && nowNanos - outstanding.peek().sentNanos > timeoutNanos) {
            outstanding.poll();
            record(true);
        }
    }

    int decided() {
        return outcomeCount;
    }

    private void record(boolean wasLost) {
        if (outcomeCount == window) {
            if (lost[outcomeNext]) {
                lostInWindow--;
            }
        } else {
            outcomeCount++;
        }
        lost[outcomeNext] = wasLost;
        if (wasLost) {
            lostInWindow++;
            lostTotal++;
        } else {
            answered++;
        }
        outcomeNext = (outcomeNext + 1) % window;
    }

    private void sample(long roundTripNanos) {
        roundTrips[roundTripNext] = roundTripNanos;
        roundTripNext = (roundTripNext + 1) % window;
        roundTripCount = Math.min(roundTripCount + 1, window);
        ewmaNanos = Double.isNaN(ewmaNanos) ? roundTripNanos : ewmaNanos + EWMA_WEIGHT * (roundTripNanos - ewmaNanos);
    }

    PeerLatency figures() {
        long[] sorted = Arrays.copyOf(roundTrips, roundTripCount);
        Arrays.sort(sorted);
        double loss = outcomeCount == 0 ? 0 : (double) lostInWindow / outcomeCount;
        return new PeerLatency(peer, roundTripCount, rank(sorted, 0), rank(sorted, 0.5), rank(sorted, 0.9),
                rank(sorted, 0.99), rank(sorted, 1), Duration.ofNanos(Double.isNaN(ewmaNanos) ? 0 : Math.round(ewmaNanos)),
                loss, sent, answered, lostTotal);
    }

    /** Nearest-rank percentile; zero with no samples. */
    private static Duration rank(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Duration.ZERO;
        }
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return Duration.ofNanos(sorted[Math.max(0, Math.min(sorted.length - 1, index))]);
    }
}
