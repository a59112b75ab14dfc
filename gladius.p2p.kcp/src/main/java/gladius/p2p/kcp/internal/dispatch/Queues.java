package gladius.p2p.kcp.internal.dispatch;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscChunkedArrayQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.jctools.queues.atomic.MpscChunkedAtomicArrayQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * The transport's many-producer, one-consumer queues, from JCTools. Its fastest queues reach
 * memory through {@code sun.misc.Unsafe}, whose memory-access methods Java 24 and later warn about
 * at first use (JEP 498), on the console of every application that runs Gladius, and will refuse
 * in a later release. There, the same queues built on {@code java.util.concurrent.atomic} are used;
 * before, nothing changes. Only one of the two kinds is ever loaded in a JVM.
 */
public final class Queues {

    /** Whether the Unsafe-backed queues run without a warning on this Java. */
    static final boolean UNSAFE = Runtime.version().feature() < 24;

    private Queues() {}

    /** An unbounded queue growing in chunks of this many elements. */
    public static <E> MessagePassingQueue<E> unbounded(int chunk) {
        return UNSAFE ? new MpscUnboundedXaddArrayQueue<>(chunk) : new MpscUnboundedAtomicArrayQueue<>(chunk);
    }

    /** A queue of at most capacity elements (a power of two), growing in chunks from initial. */
    public static <E> MessagePassingQueue<E> bounded(int initial, int capacity) {
        return UNSAFE ? new MpscChunkedArrayQueue<>(initial, capacity) : new MpscChunkedAtomicArrayQueue<>(initial, capacity);
    }
}
