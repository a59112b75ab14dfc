package gladius.p2p.spi;

import gladius.p2p.Network;
import gladius.p2p.Plugin;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * One timer for a plugin built around a core without I/O (a state machine driven by
 * {@code receive(..., now)}, {@code tick(now)} and {@code nextDeadline()}, as the DHT's and
 * pubsub's are): after each call into the core the plugin says when the core next has work
 * ({@link #wakeAt}), and the timer runs {@code tick} with the network clock's milliseconds then,
 * through {@link Network#schedule}, so on the plugin's own serial context. A deadline later than
 * the one already set changes nothing; a sooner one replaces it. Not thread-safe: use it from the
 * plugin's callbacks and tasks only, as the core itself.
 */
public final class DeadlineTimer {

    private final Network network;
    private final Plugin owner;
    private final LongConsumer tick;
    private Future<?> pending;
    private long pendingAt = Long.MAX_VALUE;

    /**
     * A timer that calls {@code tick} on the owner's serial context.
     *
     * @param network the network the owner is registered with
     * @param owner the plugin whose task the tick is
     * @param tick called with {@code network.clock().millis()} when a deadline comes; it calls the core's
     *     {@code tick} and then, usually, {@link #wakeAt} with the core's next deadline
     */
    public DeadlineTimer(Network network, Plugin owner, LongConsumer tick) {
        this.network = Objects.requireNonNull(network, "network");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.tick = Objects.requireNonNull(tick, "tick");
    }

    /**
     * Asks for a tick at {@code deadline} (milliseconds on the network's clock; now or past: at once)
     * unless one is set for sooner. {@link Long#MAX_VALUE}: nothing new. Once the network is closed,
     * nothing is set (its tasks no longer run).
     *
     * @param deadline when the core next has work
     */
    public void wakeAt(long deadline) {
        if (deadline >= pendingAt) {
            return;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        pendingAt = deadline;
        long now = network.clock().millis();
        try {
            pending = network.schedule(owner, Duration.ofMillis(Math.max(0, deadline - now)), this::fire);
        } catch (IllegalStateException closed) {
            pending = null;
        }
    }

    private void fire() {
        pending = null;
        pendingAt = Long.MAX_VALUE;
        tick.accept(network.clock().millis());
    }
}
