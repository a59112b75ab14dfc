package gladius.p2p.kcp.internal.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * A stretch of a byte stream, in chunks of {@value #CHUNK} bytes from an allocator: bytes are
 * appended at the tail and let go of from the head, and each is addressed by its offset in the
 * whole stream. Nothing is ever moved or copied to grow it, a chunk goes back to the allocator as
 * soon as the head passes it, and an empty queue holds no chunk, so an idle session holds no
 * memory here whatever it carried before. The KCP engine keeps its unacknowledged bytes and its
 * received bytes not yet read in two of these. Not thread-safe.
 */
final class ByteQueue {

    static final int CHUNK = 16 * 1024;

    private final ByteBufAllocator allocator;
    /** Every chunk is full but the last; the first starts at stream offset {@link #firstAt}. */
    private final List<ByteBuf> chunks = new ArrayList<>();
    private long firstAt;
    private long head;
    private long tail;

    ByteQueue(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    /** The stream offset of the first byte kept. */
    long head() {
        return head;
    }

    /** The stream offset after the last byte appended. */
    long tail() {
        return tail;
    }

    long size() {
        return tail - head;
    }

    /** Appends {@code length} bytes of {@code source} from {@code index} (its indices do not move). */
    void append(ByteBuf source, int index, int length) {
        while (length > 0) {
            ByteBuf last = writable();
            int n = Math.min(length, last.writableBytes());
            last.writeBytes(source, index, n);
            index += n;
            length -= n;
            tail += n;
        }
    }

    void append(byte[] source) {
        for (int index = 0; index < source.length; ) {
            ByteBuf last = writable();
            int n = Math.min(source.length - index, last.writableBytes());
            last.writeBytes(source, index, n);
            index += n;
            tail += n;
        }
    }

    private ByteBuf writable() {
        if (chunks.isEmpty()) {
            firstAt = tail;
        } else {
            ByteBuf last = chunks.get(chunks.size() - 1);
            if (last.isWritable()) {
                return last;
            }
        }
        ByteBuf chunk = allocator.heapBuffer(CHUNK, CHUNK);
        chunks.add(chunk);
        return chunk;
    }

    /** Writes the {@code length} bytes from stream offset {@code at} (within what is kept) to {@code target}. */
    void copy(long at, int length, ByteBuf target) {
        long offset = at - firstAt;
        while (length > 0) {
            ByteBuf chunk = chunks.get((int) (offset / CHUNK));
            int within = (int) (offset % CHUNK);
            int n = Math.min(length, CHUNK - within);
            target.writeBytes(chunk, within, n);
            offset += n;
            length -= n;
        }
    }

    /** Lets go of every byte before stream offset {@code at} (at most the tail). */
    void discardTo(long at) {
        head = Math.min(Math.max(at, head), tail);
        if (head == tail) {
            clear();
            return;
        }
        while (head - firstAt >= CHUNK) {
            chunks.remove(0).release();
            firstAt += CHUNK;
        }
        chunks.get(0).readerIndex((int) (head - firstAt));
    }

    /**
     * The bytes at the head, up to the end of their chunk, or null if there are none: a reader
     * moves its reader index, then calls {@link #readDone} before anything else is done here.
     */
    ByteBuf peek() {
        return head == tail ? null : chunks.get(0);
    }

    /** Lets go of what a reader read from {@link #peek()}'s buffer. */
    void readDone() {
        if (!chunks.isEmpty()) {
            discardTo(firstAt + chunks.get(0).readerIndex());
        }
    }

    /** Lets every chunk go. */
    void clear() {
        for (ByteBuf chunk : chunks) {
            chunk.release();
        }
        chunks.clear();
        head = tail;
        firstAt = tail;
    }
}
