package gladius.p2p.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Threads a test starts beside its own, whose failures reach the test: what a worker throws is
 * kept and rethrown by {@link #join(Duration)} on the test thread (the first, with the others
 * suppressed), and a worker still running at the deadline is a failure too, never a hang.
 *
 * <pre>{@code
 * try (Workers workers = new Workers()) {
 *     workers.start("sender-1", () -> { ... });
 *     ...
 *     workers.join(Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class Workers implements AutoCloseable {

    /** The body of a worker; it may throw anything. */
    @FunctionalInterface
    public interface Body {
        /**
         * Runs the worker.
         *
         * @throws Exception anything, rethrown on the test thread
         */
        void run() throws Exception;
    }

    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    /** No workers yet. */
    public Workers() {}

    /**
     * Starts a daemon worker.
     *
     * @param name the thread's name, shown in a failure
     * @param body what it runs
     */
    public synchronized void start(String name, Body body) {
        Objects.requireNonNull(body, "body");
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failures.add(new AssertionError("worker " + Thread.currentThread().getName() + " failed: " + e, e));
            }
        }, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    /**
     * Waits for every worker to end, then rethrows the first failure, if any.
     *
     * @param timeout how long all of them together may take
     * @throws AssertionError if a worker failed or is still running at the timeout
     */
    public void join(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Thread> all;
        synchronized (this) {
            all = List.copyOf(threads);
        }
        List<String> running = new ArrayList<>();
        for (Thread thread : all) {
            try {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                thread.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for workers", e);
            }
            if (thread.isAlive()) {
                running.add(thread.getName());
            }
        }
        rethrow();
        if (!running.isEmpty()) {
            throw new AssertionError("workers still running after " + timeout.toMillis() + " ms: " + running);
        }
    }

    /**
     * Rethrows the first failure so far, if any, without waiting.
     *
     * @throws AssertionError the first failure, with the later ones suppressed
     */
    public void rethrow() {
        Throwable first = failures.peek();
        if (first == null) {
            return;
        }
        AssertionError error = new AssertionError(first.getMessage(), first.getCause());
        failures.stream().skip(1).forEach(error::addSuppressed);
        throw error;
    }

    /** Interrupts workers still running (a test that failed early) and waits a little for them. */
    @Override
    public void close() {
        List<Thread> all;
        synchronized (this) {
            all = List.copyOf(threads);
        }
        for (Thread thread : all) {
            thread.interrupt();
        }
        for (Thread thread : all) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
