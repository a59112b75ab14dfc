package gladius.p2p.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a timeout, polling every few milliseconds: the way a test waits for
 * a network to do something, never a fixed sleep standing in for the condition.
 */
public final class Await {

    /** The longest a wait may take unless told otherwise, from {@code -Dgladius.test.timeout.seconds} (default 60). */
    public static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("gladius.test.timeout.seconds", 60));

    private static final long POLL_NANOS = 5_000_000;

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
            pause(what, POLL_NANOS);
        }
    }

    /**
     * Waits until a count stops moving: unchanged for the whole of {@code quiet}, within
     * {@link #TIMEOUT}. For what has no later event to wait for, such as a late duplicate that
     * would arrive after the count a test expects was reached.
     *
     * @param what the count, for the failure message
     * @param quiet how long it must stay unchanged
     * @param count polled
     * @return the settled value
     * @throws AssertionError if it is still moving at the timeout
     */
    public static long quiet(String what, Duration quiet, LongSupplier count) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long value = count.getAsLong();
        long since = System.nanoTime();
        while (System.nanoTime() - since < quiet.toNanos()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT.toMillis() + " ms waiting for " + what
                        + " to stay unchanged for " + quiet.toMillis() + " ms; last " + value);
            }
            pause(what, POLL_NANOS);
            long now = count.getAsLong();
            if (now != value) {
                value = now;
                since = System.nanoTime();
            }
        }
        return value;
    }

    /**
     * Retries a send that a full queue refused (it returned 0, as {@code Network.broadcast} does)
     * until it is taken, backing off briefly between tries, for up to {@link #TIMEOUT}.
     *
     * @param what the send, for the failure message
     * @param send tries once and returns how many peers took it
     * @return what the successful try returned
     * @throws AssertionError if no try succeeded in time
     */
    public static int sent(String what, IntSupplier send) {
        Objects.requireNonNull(send, "send");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (int tries = 0; ; tries++) {
            int taken = send.getAsInt();
            if (taken > 0) {
                return taken;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT.toMillis() + " ms and " + tries + " refused tries sending " + what);
            }
            pause(what, 100_000); // the queue drains at the event loop's pace; a short park, not a spin
        }
    }

    private static void pause(String what, long nanos) {
        LockSupport.parkNanos(nanos); // a poll interval, not a stand-in for the condition
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what);
        }
    }
}
