package gladius.p2p.kcp.internal.core;

import java.util.PriorityQueue;

/**
 * The protocol core's own deadlines, on the time its driver gives it: what a driver asks for the
 * next one ({@link #nextDeadline()}), and runs when that time has come ({@link #runDue}). So the
 * core needs no executor and no clock of its own: the Netty driver keeps one event-loop timer at
 * the next deadline, a simulation jumps its clock to it. Deadlines that tie run in the order they
 * were set. Single-threaded: whoever drives the core.
 */
public final class Timers {

    /** One deadline; {@link #cancel()} keeps it from running. */
    static final class Timer implements Comparable<Timer> {
        private final long due;
        private final long order;
        private final Runnable task;
        private boolean cancelled;

        private Timer(long due, long order, Runnable task) {
            this.due = due;
            this.order = order;
            this.task = task;
        }

        long due() {
            return due;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer other) {
            int byDue = Long.compare(due, other.due);
            return byDue != 0 ? byDue : Long.compare(order, other.order);
        }
    }

    private final PriorityQueue<Timer> queue = new PriorityQueue<>();
    private long order;

    /** Runs {@code task} once the driver's time reaches {@code due}. */
    Timer at(long due, Runnable task) {
        Timer timer = new Timer(due, order++, task);
        queue.add(timer);
        return timer;
    }

    /** The earliest deadline set and not cancelled, or {@link Long#MAX_VALUE} if none. */
    public long nextDeadline() {
        Timer first;
        while ((first = queue.peek()) != null && first.cancelled) {
            queue.poll();
        }
        return first == null ? Long.MAX_VALUE : first.due;
    }

    /** Runs every timer due at {@code now} or before, earliest first (and those they set that are due as well). */
    public void runDue(long now) {
        Timer first;
        while ((first = queue.peek()) != null && first.due <= now) {
            queue.poll();
            if (!first.cancelled) {
                first.task.run();
            }
        }
    }

    /** Timers set and not yet run or dropped (cancelled ones may still be counted until they come up). */
    int size() {
        return queue.size();
    }
}
