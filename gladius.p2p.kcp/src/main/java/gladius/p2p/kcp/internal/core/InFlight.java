package gladius.p2p.kcp.internal.core;

/**
 * Which of the messages a {@link Stream} handed its engine the peer has not acknowledged yet, so
 * that a session that ends can count what it loses (Counters#messagesDropped) instead of losing
 * it silently. KCP in stream mode packs messages into segments as it likes, so two positions in
 * the byte stream are kept: where each message not yet acknowledged ends, and where each
 * segment sent but not yet acknowledged ends (its length is final once it was first sent). The
 * peer acknowledges every segment below the engine's {@code snd_una}: the stream up to the end of
 * the last of those has arrived, in order, and every message ending there was delivered (the
 * receiving side reads in order as it goes). Single-threaded, as its stream.
 */
final class InFlight {

    /** Where in the stream each message not known to be acknowledged ends. */
    private final Offsets messageEnds = new Offsets();
    /** Where in the stream each segment from {@link #firstSn} on, sent and not acknowledged, ends. */
    private final Offsets segmentEnds = new Offsets();
    private int firstSn;
    /** Bytes handed to the engine, and where the newest segment sent ends. */
    private long pushed;
    private long sentEnd;
    /** The stream is acknowledged up to here. */
    private long acknowledged;

    /** {@code bytes} more in the engine, a message of ours ({@code message}) or a control frame. */
    void pushed(int bytes, boolean message) {
        pushed += bytes;
        if (message) {
            messageEnds.add(pushed);
        }
    }

    /** The engine sent the segment {@code sn}, of {@code length} bytes, for the first time. */
    void firstSent(int sn, int length) {
        if (segmentEnds.isEmpty()) {
            firstSn = sn;
        }
        sentEnd += length;
        segmentEnds.add(sentEnd);
    }

    /** The peer has acknowledged every segment below {@code una} (serial numbers, as they wrap). */
    void acknowledgedBelow(int una) {
        while (!segmentEnds.isEmpty() && firstSn - una < 0) {
            acknowledged = segmentEnds.removeFirst();
            firstSn++;
        }
        while (!messageEnds.isEmpty() && messageEnds.first() <= acknowledged) {
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

        long removeFirst() {
            long first = ring[head];
            head = (head + 1) & (ring.length - 1);
            size--;
            return first;
        }
    }
}
