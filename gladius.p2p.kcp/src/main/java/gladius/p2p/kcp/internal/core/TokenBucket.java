package gladius.p2p.kcp.internal.core;

/**
 * A token bucket that holds one second's worth and starts full: what {@link Admission} spends
 * handshakes from and what a {@link Relay} spends its circuits' bytes from. Times are the event
 * loop's milliseconds. Event loop only.
 */
final class TokenBucket {

    private final double perSecond;
    private double tokens;
    private long refilledAt;

    TokenBucket(double perSecond, long now) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.refilledAt = now;
    }

    /** Refills for the time passed, then takes {@code amount} if the bucket holds it; false (nothing taken) if not. */
    boolean take(double amount, long now) {
        if (!available(amount, now)) {
            return false;
        }
        tokens -= amount;
        return true;
    }

    /** Refills for the time passed; whether the bucket holds {@code amount} now (nothing taken). */
    boolean available(double amount, long now) {
        tokens = Math.min(perSecond, tokens + Math.max(0, now - refilledAt) * perSecond / 1000.0);
        refilledAt = Math.max(refilledAt, now);
        return tokens >= amount;
    }
}
