package gladius.p2p.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a timeout, polling every few milliseconds: the way a test waits for
 * a network to do something, never a fixed sleep standing in for the condition.
 */
public final class Await {

    /** The longest a wait may take unless told otherwise, from {@code -Dgladius.test.timeout.seconds} (default 120). */
    public static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("gladius.test.timeout.seconds", 120));

    private Await() {}

    /**
     * Waits up to {@link #TIMEOUT}.
     *
     * @param what the condition, for the failure message
     * @param condition polled until true
     * @throws AssertionError on timeout
     */
    public static void until(String what, BooleanSupplier condition) {
        until(what, TIMEOUT, condition, () -> "");
    }

    /**
     * Waits up to {@link #TIMEOUT}, showing state on failure.
     *
     * @param what the condition, for the failure message
     * @param condition polled until true
     * @param state what to show when it times out
     * @throws AssertionError on timeout
     */
    public static void until(String what, BooleanSupplier condition, Supplier<String> state) {
        until(what, TIMEOUT, condition, state);
    }

    /**
     * Waits up to a timeout.
     *
     * @param what the condition, for the failure message
     * @param timeout how long to wait
     * @param condition polled until true
     * @param state what to show when it times out
     * @throws AssertionError on timeout
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what + " " + state.get());
            }
            try {
                Thread.sleep(5); // a poll interval, not a stand-in for the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
