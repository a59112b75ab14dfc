package gladius.p2p.benchmarks;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** One invocation of an end-to-end Gladius benchmark: send a batch, then wait until the receiver has counted all of it. */
final class Batch {

    private Batch() {}

    /** Two listening nodes on loopback, the receiver in the sender's route table. */
    record Pair(Network sender, Network receiver) implements AutoCloseable {
        @Override
        public void close() {
            sender.close();
            receiver.close();
        }
    }

    /**
     * The pair a one-way benchmark sends across: a receiver whose plugin counts every message into
     * received, and a sender that has added it. Both listen on free loopback ports.
     */
    static Pair pair(Map<String, String> senderSettings, Map<String, String> receiverSettings, AtomicLong received) {
        Network sender = Network.create(senderSettings);
        Network receiver = Network.create(receiverSettings);
        receiver.registerPlugin(new Plugin() {
            @Override
            public void newMessage(Message m) {
                received.incrementAndGet();
            }
        });
        sender.listen(new NodeAddress("127.0.0.1", 0));
        receiver.listen(new NodeAddress("127.0.0.1", 0));
        sender.add(receiver.localAddress());
        return new Pair(sender, receiver);
    }

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
