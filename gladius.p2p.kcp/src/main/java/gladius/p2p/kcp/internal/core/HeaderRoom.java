package gladius.p2p.kcp.internal.core;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The allocator a session's KCP engine takes its buffers from: each leaves {@code head} bytes
 * free before its reader index and {@code tail} bytes past the capacity asked for, so that the
 * datagram KCP writes its segments into becomes the datagram on the wire where it lies: the
 * header written in front of the segments (and, sealed, the tag behind them), with no copy into
 * a buffer of its own. The engine reads and writes only between the indexes, so the room is
 * invisible to it. Plain sessions take direct buffers (the socket writes from them); secure ones
 * heap buffers, since the JDK's ciphers seal an array in place and a direct buffer through a copy.
 */
final class HeaderRoom extends AbstractByteBufAllocator {

    private final ByteBufAllocator delegate;
    private final int head;
    private final int tail;
    private final boolean direct;

    HeaderRoom(ByteBufAllocator delegate, int head, int tail, boolean direct) {
        super(direct);
        this.delegate = delegate;
        this.head = head;
        this.tail = tail;
        this.direct = direct;
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity) {
        return direct ? directBuffer(initialCapacity) : heapBuffer(initialCapacity);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return withRoom(delegate.heapBuffer(initialCapacity + head + tail, room(maxCapacity)));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return withRoom(delegate.directBuffer(initialCapacity + head + tail, room(maxCapacity)));
    }

    private int room(int maxCapacity) {
        return maxCapacity > Integer.MAX_VALUE - head - tail ? Integer.MAX_VALUE : maxCapacity + head + tail;
    }

    private ByteBuf withRoom(ByteBuf buffer) {
        return buffer.setIndex(head, head);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return delegate.isDirectBufferPooled();
    }
}
