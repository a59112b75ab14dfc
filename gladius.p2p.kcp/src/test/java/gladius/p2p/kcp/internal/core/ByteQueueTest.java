package gladius.p2p.kcp.internal.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The KCP engine's byte queues: offsets across chunks, and no chunk kept once the bytes are gone. */
class ByteQueueTest {

    /** Hands out heap buffers and remembers them, to see which are still held. */
    private static final class Counting extends AbstractByteBufAllocator {
        final List<ByteBuf> made = new ArrayList<>();

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buffer = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            made.add(buffer);
            return buffer;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            throw new AssertionError("the queues hold heap chunks");
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        long held() {
            return made.stream().filter(b -> b.refCnt() > 0).count();
        }
    }

    @Test
    void bytesAreFoundByStreamOffsetAcrossChunks() {
        Counting allocator = new Counting();
        ByteQueue queue = new ByteQueue(allocator);
        byte[] stream = new byte[3 * ByteQueue.CHUNK + 123];
        new SplittableRandom(1).nextBytes(stream);
        for (int at = 0; at < stream.length; at += 1_000) {
            int n = Math.min(1_000, stream.length - at);
            queue.append(Unpooled.wrappedBuffer(stream, at, n), 0, n);
        }
        assertEquals(stream.length, queue.size());
        assertEquals(4, allocator.held());

        ByteBuf out = Unpooled.buffer();
        queue.copy(ByteQueue.CHUNK - 10, 30, out); // across the first boundary
        assertArrayEquals(java.util.Arrays.copyOfRange(stream, ByteQueue.CHUNK - 10, ByteQueue.CHUNK + 20),
                ByteBufUtil.getBytes(out));

        queue.discardTo(2L * ByteQueue.CHUNK + 5);
        assertEquals(2, allocator.held(), "the chunks passed are let go");
        out.clear();
        queue.copy(2L * ByteQueue.CHUNK + 5, 100, out);
        assertArrayEquals(java.util.Arrays.copyOfRange(stream, 2 * ByteQueue.CHUNK + 5, 2 * ByteQueue.CHUNK + 105),
                ByteBufUtil.getBytes(out));

        queue.discardTo(queue.tail());
        assertEquals(0, allocator.held(), "an empty queue holds no chunk");
        assertEquals(0, queue.size());
    }

    @Test
    void aReaderReadsTheStreamInOrderAndLetsItGo() {
        Counting allocator = new Counting();
        ByteQueue queue = new ByteQueue(allocator);
        SplittableRandom random = new SplittableRandom(2);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        for (int round = 0; round < 200; round++) {
            byte[] bytes = new byte[random.nextInt(1, 5_000)];
            random.nextBytes(bytes);
            written.writeBytes(bytes);
            if (random.nextBoolean()) {
                queue.append(bytes);
            } else {
                queue.append(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
            }
            int want = random.nextInt(0, 8_000);
            ByteBuf piece;
            while (want > 0 && (piece = queue.peek()) != null) {
                int n = Math.min(want, piece.readableBytes());
                byte[] taken = new byte[n];
                piece.readBytes(taken);
                read.writeBytes(taken);
                want -= n;
                queue.readDone();
            }
        }
        ByteBuf piece;
        while ((piece = queue.peek()) != null) {
            read.writeBytes(ByteBufUtil.getBytes(piece));
            piece.skipBytes(piece.readableBytes());
            queue.readDone();
        }
        assertArrayEquals(written.toByteArray(), read.toByteArray());
        assertNull(queue.peek());
        assertEquals(0, allocator.held(), "read to the end, the queue holds no chunk");
        assertTrue(allocator.made.size() > 1, "the test crossed chunks");
    }
}
