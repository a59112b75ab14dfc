package gladius.p2p.kcp.internal.core;

/**
 * Which of the messages a {@link Stream} handed its engine the peer has not acknowledged yet, so
 * that a session that ends can count what it loses (Counters#messagesDropped) instead of losing
 * it silently. KCP in stream mode packs messages into segments as it likes, so messages are kept
 * as positions in the byte stream (where each one not yet acknowledged ends), and the engine
 * says up to which position the peer has acknowledged the stream ({@link KcpEngine#acknowledgedBytes}):
 * that much has arrived, in order, and every message ending there was delivered (the receiving
 * side reads in order as it goes). Single-threaded, as its stream.
 */
final class InFlight {

    /** Where in the stream each message not known to be acknowledged ends. */
    private final Offsets messageEnds = new Offsets();
    /** Bytes handed to the engine: every one of them goes into its stream, in this order. */
    private long pushed;

    /** {@code bytes} more in the engine, a message of ours ({@code message}) or a control frame. */
    void pushed(int bytes, boolean message) {
        pushed += bytes;
        if (message) {
            messageEnds.add(pushed);
        }
    }

    /** The peer has acknowledged the stream's first {@code bytes} bytes. */
    void acknowledgedTo(long bytes) {
        while (!messageEnds.isEmpty() && messageEnds.first() <= bytes) {
            messageEnds.removeFirst();
        }
    }

    /** Messages handed to the engine and not acknowledged: those a session that ends now loses. */
    int unacknowledged() {
        return messageEnds.size();
    }

    /** A queue of stream positions: a ring of longs that grows as needed. */
    private static final class Offsets {
        private long[] ring = new long[8];
        private int head;
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        int size() {
            return size;
        }

        void add(long offset) {
            if (size == ring.length) {
                long[] bigger = new long[ring.length * 2];
                for (int i = 0; i < size; i++) {
                    bigger[i] = ring[(head + i) & (ring.length - 1)];
                }
                ring = bigger;
                head = 0;
            }
            ring[(head + size++) & (ring.length - 1)] = offset;
        }

        long first() {
            return ring[head];
        }

        void removeFirst() {
            head = (head + 1) & (ring.length - 1);
            size--;
        }
    }
}
