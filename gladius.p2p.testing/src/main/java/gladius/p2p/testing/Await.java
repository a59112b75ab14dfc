package gladius.p2p.kcp;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a timeout, polling; never a fixed sleep standing in for the condition. */
final class Await {

    /** The longest any single wait in these tests may take, from -Dgladius.test.timeout.seconds. */
    static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("gladius.test.timeout.seconds", 120));

    private Await() {}

    static void until(String what, BooleanSupplier condition) {
        until(what, TIMEOUT, condition, () -> "");
    }

    static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
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
