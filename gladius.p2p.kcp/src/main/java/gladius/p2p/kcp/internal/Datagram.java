package gladius.p2p.kcp.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The header of every datagram this transport sends (docs/PROTOCOL.md):
 *
 * <pre>
 *   u8  magic      0x47 ('G')
 *   u8  version    1
 *   u8  kind       HELLO 1, WELCOME 2, DATA 3, PING 4, CLOSE 5, RESET 6
 *   u32 sender     the sending node's incarnation (never 0)
 *   u32 receiver   the incarnation the sender believes the receiver has (0 in HELLO)
 *   ... payload    DATA: KCP segments; CLOSE: u8 reason; others: nothing
 * </pre>
 */
final class Datagram {

    static final int MAGIC = 0x47;
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 11;

    static final int HELLO = 1;
    static final int WELCOME = 2;
    static final int DATA = 3;
    static final int PING = 4;
    static final int CLOSE = 5;
    static final int RESET = 6;

    /** CLOSE reasons. */
    static final int CLOSE_DELETED = 1;
    static final int CLOSE_SHUTDOWN = 2;
    static final int CLOSE_BAD_STREAM = 3;

    /** KCP's own segment header: conv, cmd, frg, wnd, ts, sn, una, len. */
    static final int KCP_OVERHEAD = 24;

    private Datagram() {}

    /** A parsed header; kind is 0 if the datagram is not ours. */
    record Header(int kind, int sender, int receiver) {}

    /** Reads the header and leaves the payload readable; null if this is not a datagram of ours. */
    static Header read(ByteBuf datagram) {
        if (datagram.readableBytes() < HEADER_LENGTH
                || datagram.getUnsignedByte(datagram.readerIndex()) != MAGIC
                || datagram.getUnsignedByte(datagram.readerIndex() + 1) != VERSION) {
            return null;
        }
        int kind = datagram.getUnsignedByte(datagram.readerIndex() + 2);
        int sender = datagram.getInt(datagram.readerIndex() + 3);
        int receiver = datagram.getInt(datagram.readerIndex() + 7);
        if (kind < HELLO || kind > RESET || sender == 0 || (kind != HELLO && receiver == 0)) {
            return null;
        }
        int payload = datagram.readableBytes() - HEADER_LENGTH;
        boolean sizeOk = switch (kind) {
            case DATA -> payload >= KCP_OVERHEAD;
            case CLOSE -> payload == 1;
            default -> payload == 0;
        };
        if (!sizeOk) {
            return null;
        }
        datagram.skipBytes(HEADER_LENGTH);
        return new Header(kind, sender, receiver);
    }

    /** A header-only datagram (or CLOSE with its reason). */
    static ByteBuf control(ByteBufAllocator allocator, int kind, int sender, int receiver, int reason) {
        ByteBuf out = allocator.directBuffer(HEADER_LENGTH + 1);
        writeHeader(out, kind, sender, receiver);
        if (kind == CLOSE) {
            out.writeByte(reason);
        }
        return out;
    }

    /** A DATA datagram around KCP's output; releases the KCP buffer. */
    static ByteBuf data(ByteBufAllocator allocator, int sender, int receiver, ByteBuf segments) {
        try {
            ByteBuf out = allocator.directBuffer(HEADER_LENGTH + segments.readableBytes());
            writeHeader(out, DATA, sender, receiver);
            out.writeBytes(segments);
            return out;
        } finally {
            segments.release();
        }
    }

    private static void writeHeader(ByteBuf out, int kind, int sender, int receiver) {
        out.writeByte(MAGIC);
        out.writeByte(VERSION);
        out.writeByte(kind);
        out.writeInt(sender);
        out.writeInt(receiver);
    }

    /**
     * Checks KCP segments before the engine sees them: each must carry this conversation, a known
     * command, no fragment number (stream mode has none), and a length that fits the datagram and the segment size. The engine trusts its
     * input; this is what keeps a peer's garbage out of it.
     */
    static boolean segmentsValid(ByteBuf payload, int conv, int mss) {
        int index = payload.readerIndex();
        int end = payload.writerIndex();
        while (index < end) {
            if (end - index < KCP_OVERHEAD) {
                return false;
            }
            int segmentConv = payload.getIntLE(index);
            int cmd = payload.getUnsignedByte(index + 4);
            int fragment = payload.getUnsignedByte(index + 5);
            int length = payload.getIntLE(index + 20);
            if (segmentConv != conv || cmd < 81 || cmd > 84 || fragment != 0 || length < 0 || length > mss
                    || length > end - index - KCP_OVERHEAD) {
                return false;
            }
            index += KCP_OVERHEAD + length;
        }
        return true;
    }
}
