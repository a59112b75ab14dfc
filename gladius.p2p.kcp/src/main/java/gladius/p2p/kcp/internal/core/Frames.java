package gladius.p2p.kcp.internal.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The frame that carries one message inside a session's KCP byte stream (docs/PROTOCOL.md):
 *
 * <pre>
 *   u32 length      bytes that follow: 1 + typeLength + body + 4
 *   u8  typeLength  1 to 255
 *   ... type        UTF-8
 *   ... body
 *   u32 crc32c      over type and body
 * </pre>
 *
 * and the control frame that carries something for the transport itself (a node record), never
 * for the plugins: typeLength 0, then u8 control kind, its body (at most
 * {@value #MAX_CONTROL_BODY} bytes), and the CRC-32C over kind and body. All integers are big-endian.
 */
public final class Frames {

    /** Length prefix, type length and checksum: what a frame adds to type and body. */
    static final int OVERHEAD = 4 + 1 + 4;
    /** The smallest length a prefix may hold: a one-byte type, no body. */
    static final int MIN_LENGTH = 1 + 1 + 4;
    static final int MAX_TYPE_BYTES = 255;
    /** Control kinds. */
    static final int CONTROL_RECORD = 1;
    /** The largest body of a control frame, and the largest length prefix of one. */
    static final int MAX_CONTROL_BODY = 1024;
    static final int MAX_CONTROL_LENGTH = 1 + 1 + MAX_CONTROL_BODY + 4;

    private Frames() {}

    static int maxFrameLength(int maxMessageBytes) {
        return 1 + MAX_TYPE_BYTES + maxMessageBytes + 4;
    }

    static byte[] typeBytes(String type) {
        if (type == null || type.isEmpty()) {
            throw new IllegalArgumentException("type must be 1 to 255 bytes of UTF-8: it is empty");
        }
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(type));
            if (encoded.remaining() > MAX_TYPE_BYTES) {
                throw new IllegalArgumentException("type must be 1 to 255 bytes of UTF-8: it is "
                        + encoded.remaining() + " bytes");
            }
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("type is not valid UTF-8 text (a lone surrogate?): " + type, e);
        }
    }

    /** Decodes a type strictly; null if the bytes are not UTF-8. */
    static String decodeType(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static void checkBody(int length, int maxBodyBytes) {
        if (length > maxBodyBytes) {
            throw new IllegalArgumentException("body is " + length + " bytes, over kcp.max-message-bytes ("
                    + maxBodyBytes + ")");
        }
    }

    static int checksum(byte[] typeBytes, ByteBuffer body) {
        CRC32C crc = new CRC32C();
        crc.update(typeBytes);
        crc.update(body.duplicate());
        return (int) crc.getValue();
    }

    /** The bytes a message's frame takes in the stream, length prefix included. */
    public static int encodedLength(KcpMessage message) {
        return 4 + 1 + message.typeBytes().length + message.body().remaining() + 4;
    }

    /**
     * Encodes a message once into a heap buffer; the caller owns the returned buffer. Heap,
     * because the caller's thread makes it and the event loop lets go of it last (after KCP has
     * acknowledged its bytes): a pooled buffer freed on another thread than the one that took it
     * costs both threads the pool's lock. And an array wrapped without an allocator, whose
     * instrumented heap buffers count every allocation and free in shared counters (3-4 % of the
     * event loops' samples at 1 KiB, docs/BENCHMARKS.md).
     */
    public static ByteBuf encode(KcpMessage message) {
        byte[] type = message.typeBytes();
        ByteBuffer body = message.body();
        int length = encodedLength(message) - 4;
        ByteBuffer frame = ByteBuffer.allocate(4 + length);
        frame.putInt(length).put((byte) type.length).put(type).put(body).putInt(message.checksum());
        return Unpooled.wrappedBuffer(frame.array());
    }

    /** A control frame of this kind around this body, whole, length prefix included. */
    static byte[] control(int kind, byte[] body) {
        if (body.length > MAX_CONTROL_BODY) {
            throw new IllegalArgumentException("a control frame's body is at most " + MAX_CONTROL_BODY + " bytes");
        }
        ByteBuffer frame = ByteBuffer.allocate(4 + 1 + 1 + body.length + 4);
        frame.putInt(1 + 1 + body.length + 4).put((byte) 0).put((byte) kind).put(body);
        CRC32C crc = new CRC32C();
        crc.update(frame.array(), 5, 1 + body.length);
        frame.putInt((int) crc.getValue());
        return frame.array();
    }

    /** What {@link Reader#next} found. */
    enum Result { FRAME, CONTROL, NEED_MORE, BAD_CHECKSUM, BAD_TYPE, BAD_STREAM }

    /**
     * Takes frames out of a stream that arrives in pieces (KCP's received segments), copying each
     * piece once, straight into the array of the frame it belongs to: a frame may span pieces and
     * a piece may hold several frames. Each length is checked against its kind's limit as soon as
     * the frame's first five bytes are in, before anything is allocated; the array then grows with
     * what arrives ({@link #FIRST_ALLOCATION} first, doubling), so a peer that announces a large
     * frame and sends little makes the reader hold about what it sent. After BAD_STREAM nothing
     * more can be read.
     */
    static final class Reader {
        /** The array a frame's bytes start in when its length is larger. */
        static final int FIRST_ALLOCATION = 64 * 1024;
        private static final byte[] NO_FRAME = new byte[0];

        private final int maxFrameLength;
        /** The length prefix and the frame's first byte, as they come in. */
        private final byte[] header = new byte[5];
        private int headerFill;
        /** The frame being read (from its type length on), how many of its bytes are in, and its length. */
        private byte[] frame = NO_FRAME;
        private int fill;
        private int length;
        private String type;
        private byte[] typeBytes;
        /** The last whole frame's array (from its type length on). */
        private byte[] delivered;
        private int bodyOffset;
        private int bodyLength;
        private int checksum;
        private int controlKind;
        /** The stream could not be parsed: it never can be again. */
        private boolean broken;

        Reader(int maxFrameLength) {
            this.maxFrameLength = maxFrameLength;
        }

        /**
         * Reads from {@code piece} until a frame is whole (FRAME, CONTROL, or BAD_CHECKSUM and
         * BAD_TYPE, which consumed it) or the piece is used up (NEED_MORE: give the next one).
         * The piece's reader index moves past what was read; the reader keeps no reference to it.
         */
        Result next(ByteBuf piece) {
            if (broken) {
                return Result.BAD_STREAM;
            }
            if (headerFill < header.length) {
                int take = Math.min(header.length - headerFill, piece.readableBytes());
                piece.readBytes(header, headerFill, take);
                headerFill += take;
                if (headerFill < header.length) {
                    return Result.NEED_MORE;
                }
                Result refused = begin();
                if (refused != null) {
                    return refused;
                }
            }
            int take = Math.min(length - fill, piece.readableBytes());
            if (fill + take > frame.length) {
                frame = Arrays.copyOf(frame, (int) Math.min(length, Math.max((long) frame.length * 2, fill + take)));
            }
            piece.readBytes(frame, fill, take);
            fill += take;
            if (fill < length) {
                return Result.NEED_MORE;
            }
            headerFill = 0;
            byte[] whole = frame;
            frame = NO_FRAME;
            return whole[0] == 0 ? control(whole) : message(whole);
        }

        /** A frame's first five bytes are in: checks its length for its kind, and makes room for it; null if it may follow. */
        private Result begin() {
            long announced = ((header[0] & 0xffL) << 24) | ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8)
                    | (header[3] & 0xff);
            int typeLength = header[4] & 0xff;
            boolean control = typeLength == 0;
            if (announced < MIN_LENGTH || announced > (control ? MAX_CONTROL_LENGTH : maxFrameLength)
                    || (!control && 1 + typeLength + 4 > announced)) {
                broken = true;
                return Result.BAD_STREAM;
            }
            length = (int) announced;
            frame = new byte[Math.min(length, FIRST_ALLOCATION)];
            frame[0] = header[4];
            fill = 1;
            return null;
        }

        private Result message(byte[] bytes) {
            int typeLength = bytes[0] & 0xff;
            int crcOffset = bytes.length - 4;
            CRC32C crc = new CRC32C();
            crc.update(bytes, 1, crcOffset - 1);
            int expected = ((bytes[crcOffset] & 0xff) << 24) | ((bytes[crcOffset + 1] & 0xff) << 16)
                    | ((bytes[crcOffset + 2] & 0xff) << 8) | (bytes[crcOffset + 3] & 0xff);
            if ((int) crc.getValue() != expected) {
                return Result.BAD_CHECKSUM;
            }
            // A stream carries few types: one the same as the last frame's keeps its decoded string.
            if (typeBytes == null || !Arrays.equals(bytes, 1, 1 + typeLength, typeBytes, 0, typeBytes.length)) {
                byte[] newType = Arrays.copyOfRange(bytes, 1, 1 + typeLength);
                String decoded = decodeType(newType);
                if (decoded == null) {
                    return Result.BAD_TYPE;
                }
                this.type = decoded;
                this.typeBytes = newType;
            }
            this.delivered = bytes;
            this.bodyOffset = 1 + typeLength;
            this.bodyLength = crcOffset - bodyOffset;
            this.checksum = expected;
            return Result.FRAME;
        }

        /** A control frame: kind, body, checksum. */
        private Result control(byte[] bytes) {
            int crcOffset = bytes.length - 4;
            CRC32C crc = new CRC32C();
            crc.update(bytes, 1, crcOffset - 1);
            if ((int) crc.getValue() != ByteBuffer.wrap(bytes, crcOffset, 4).getInt()) {
                return Result.BAD_CHECKSUM;
            }
            this.controlKind = bytes[1] & 0xff;
            this.delivered = bytes;
            this.bodyOffset = 2;
            this.bodyLength = crcOffset - 2;
            return Result.CONTROL;
        }

        /** Bytes of an unfinished frame the reader holds an array for: what a peer can make it keep. */
        int held() {
            return frame.length + headerFill;
        }

        /** The last control frame's kind. */
        int controlKind() {
            return controlKind;
        }

        String type() {
            return type;
        }

        /** The last frame's type as it came, already copied out to decode it (shared by frames of one type: never written). */
        byte[] typeBytes() {
            return typeBytes;
        }

        /** The last frame's body, sharing the frame's array (never reused). */
        ByteBuffer body() {
            return ByteBuffer.wrap(delivered, bodyOffset, bodyLength).slice();
        }

        int bodyLength() {
            return bodyLength;
        }

        int checksum() {
            return checksum;
        }
    }
}
