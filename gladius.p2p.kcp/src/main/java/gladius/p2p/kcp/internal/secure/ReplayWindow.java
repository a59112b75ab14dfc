package gladius.p2p.kcp.internal.secure;

/**
 * Which datagram counters of a secure session have been seen, as in RFC 6479 and WireGuard: the
 * highest counter, and a bitmap of the {@value #SIZE} below it. A counter seen before, or older
 * than the window, is a replay (or too late to matter: KCP will have resent what it carried).
 * Check before authenticating and accept only after, so a forged datagram moves nothing.
 */
final class ReplayWindow {

    static final int SIZE = 1024;
    private static final int WORDS = SIZE / 64;

    private final long[] seen = new long[WORDS];
    private long highest = -1;

    /** Whether a datagram with this counter may be new. */
    boolean mayAccept(long counter) {
        if (counter < 0) {
            return false;
        }
        if (counter > highest) {
            return true;
        }
        if (highest - counter >= SIZE) {
            return false;
        }
        return (seen[word(counter)] & bit(counter)) == 0;
    }

    /** Marks an authenticated counter as seen; call only after {@link #mayAccept} said yes. */
    void accept(long counter) {
        if (counter > highest) {
            long shift = highest < 0 ? SIZE : counter - highest;
            if (shift >= SIZE) {
                java.util.Arrays.fill(seen, 0);
            } else {
                for (long c = highest + 1; c <= counter; c++) {
                    seen[word(c)] &= ~bit(c);
                }
            }
            highest = counter;
        }
        seen[word(counter)] |= bit(counter);
    }

    private static int word(long counter) {
        return (int) ((counter / 64) % WORDS);
    }

    private static long bit(long counter) {
        return 1L << (counter % 64);
    }
}
