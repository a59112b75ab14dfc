package gladius.p2p.benchmarks;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
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
     * received, and a sender that has added it. Both listen on free loopback ports. The counter
     * never blocks and says so (Plugin#nonBlocking): it counts on the receiver's event loop, as
     * the Netty baselines' handlers do.
     */
    static Pair pair(Map<String, String> senderSettings, Map<String, String> receiverSettings, AtomicLong received) {
        return pair(senderSettings, receiverSettings, received, true);
    }

    /** As above; {@code nonBlocking} false has the counter called on the plugin executor, as a plugin that may block. */
    static Pair pair(Map<String, String> senderSettings, Map<String, String> receiverSettings, AtomicLong received,
                     boolean nonBlocking) {
        return pair(senderSettings, receiverSettings, new Plugin() {
            @Override
            public void newMessage(Message m) {
                received.incrementAndGet();
            }

            @Override
            public boolean nonBlocking() {
                return nonBlocking;
            }
        });
    }

    /** As above, with the receiver's plugin given. */
    static Pair pair(Map<String, String> senderSettings, Map<String, String> receiverSettings, Plugin receiverPlugin) {
        Network sender = Network.create(senderSettings);
        Network receiver = Network.create(receiverSettings);
        receiver.registerPlugin(receiverPlugin);
        sender.listen(new NodeAddress("127.0.0.1", 0));
        receiver.listen(new NodeAddress("127.0.0.1", 0));
        sender.add(receiver.localAddress());
        return new Pair(sender, receiver);
    }

    /**
     * Sends a message count times, waiting (never dropping) while the peer's queue is full, then
     * waits until received has grown by count.
     *
     * @return the sends the full queue refused (each tried again)
     */
    static long sendAndAwait(Network sender, Message message, AtomicLong received, int count) {
        long target = received.get() + count;
        long refused = 0;
        for (int i = 0; i < count; i++) {
            while (sender.broadcast(message) == 0) {
                refused++;
                LockSupport.parkNanos(50_000); // the peer's queue is full: wait, do not lose it
            }
        }
        while (received.get() < target) {
            LockSupport.parkNanos(10_000);
        }
        return refused;
    }

    /** Segments the sender has sent again, over all its peers. */
    static long retransmissions(Network sender) {
        return sender.networkState().peers().stream().mapToLong(PeerState::retransmissions).sum();
    }
}
