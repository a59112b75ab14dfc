package gladius.p2p.benchmarks;

import gladius.p2p.Message;
import gladius.p2p.Network;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** One invocation of an end-to-end Gladius benchmark: send a batch, then wait until the receiver has counted all of it. */
final class Batch {

    private Batch() {}

    /**
     * Sends a message count times, waiting (never dropping) while the peer's queue is full, then
     * waits until received has grown by count.
     */
    static void sendAndAwait(Network sender, Message message, AtomicLong received, int count) {
        long target = received.get() + count;
        for (int i = 0; i < count; i++) {
            while (sender.broadcast(message) == 0) {
                LockSupport.parkNanos(50_000); // the peer's queue is full: wait, do not lose it
            }
        }
        while (received.get() < target) {
            LockSupport.parkNanos(10_000);
        }
    }
}
