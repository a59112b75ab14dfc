package gladius.p2p.kcp.internal.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
     * Encodes a message once into a heap buffer of that allocator; the caller owns the returned
     * buffer. Heap, because the caller's thread makes it and the event loop lets go of it last
     * (after KCP has taken its bytes): a pooled buffer freed on another thread than the one that
     * took it costs both threads the pool's lock, and the bytes are copied into the datagram anyway.
     */
    public static ByteBuf encode(ByteBufAllocator allocator, KcpMessage message) {
        byte[] type = message.typeBytes();
        ByteBuffer body = message.body();
        int length = encodedLength(message) - 4;
        ByteBuf frame = allocator.heapBuffer(4 + length, 4 + length);
        frame.writeInt(length);
        frame.writeByte(type.length);
        frame.writeBytes(type);
        frame.writeBytes(body);
        frame.writeInt(message.checksum());
        return frame;
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
     * Takes frames out of a stream, one at a time. The caller keeps the stream's bytes; the reader
     * checks each length against the limit before anything is allocated.
     */
    static final class Reader {
        private final int maxFrameLength;
        private String type;
        private byte[] typeBytes;
        private byte[] frame;
        private int bodyOffset;
        private int bodyLength;
        private int checksum;
        private int controlKind;

        Reader(int maxFrameLength) {
            this.maxFrameLength = maxFrameLength;
        }

        /**
         * Reads the next frame from the stream if it is whole. On FRAME, BAD_CHECKSUM and BAD_TYPE
         * the frame was consumed; on BAD_STREAM the stream cannot be parsed any further.
         */
        Result next(ByteBuf stream) {
            if (stream.readableBytes() < 4) {
                return Result.NEED_MORE;
            }
            long length = stream.getUnsignedInt(stream.readerIndex());
            if (length < MIN_LENGTH || length > Math.max(maxFrameLength, MAX_CONTROL_LENGTH)) {
                return Result.BAD_STREAM;
            }
            if (stream.readableBytes() > 4) {
                // Each kind of frame is held to its own limit as soon as its first byte says which it is.
                boolean control = stream.getUnsignedByte(stream.readerIndex() + 4) == 0;
                if (length > (control ? MAX_CONTROL_LENGTH : maxFrameLength)) {
                    return Result.BAD_STREAM;
                }
            }
            if (stream.readableBytes() < 4 + length) {
                return Result.NEED_MORE;
            }
            int typeLength = stream.getUnsignedByte(stream.readerIndex() + 4);
            if (typeLength == 0) {
                return control(stream, (int) length);
            }
            if (1 + typeLength + 4 > length) {
                return Result.BAD_STREAM;
            }
            stream.skipBytes(4);
            byte[] bytes = new byte[(int) length];
            stream.readBytes(bytes);
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
            this.frame = bytes;
            this.bodyOffset = 1 + typeLength;
            this.bodyLength = crcOffset - bodyOffset;
            this.checksum = expected;
            return Result.FRAME;
        }

        /** A control frame: kind, body, checksum; its length is known to be whole in the stream. */
        private Result control(ByteBuf stream, int length) {
            stream.skipBytes(4);
            byte[] bytes = new byte[length];
            stream.readBytes(bytes);
            int crcOffset = bytes.length - 4;
            CRC32C crc = new CRC32C();
            crc.update(bytes, 1, crcOffset - 1);
            if ((int) crc.getValue() != ByteBuffer.wrap(bytes, crcOffset, 4).getInt()) {
                return Result.BAD_CHECKSUM;
            }
            this.controlKind = bytes[1] & 0xff;
            this.frame = bytes;
            this.bodyOffset = 2;
            this.bodyLength = crcOffset - 2;
            return Result.CONTROL;
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
            return ByteBuffer.wrap(frame, bodyOffset, bodyLength).slice();
        }

        int bodyLength() {
            return bodyLength;
        }

        int checksum() {
            return checksum;
        }
    }
}
