package gladius.p2p.kcp.internal.core;

import gladius.p2p.kcp.internal.secure.NoiseXX;
import gladius.p2p.kcp.internal.secure.SecureChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * The header of every datagram this transport sends (docs/PROTOCOL.md):
 *
 * <pre>
 *   u8  magic      0x47 ('G')
 *   u8  version    1
 *   u8  kind       plain: HELLO 1, WELCOME 2, DATA 3, PING 4, CLOSE 5, RESET 6
 *                  secure: HELLO_SECURE 7, WELCOME_SECURE 8, CONFIRM 9, SEALED 10; both: REFUSE 11;
 *                  plain (sealed inside SEALED in secure mode): RELAY 12, RELAYED 13, RESERVE 14, RESERVED 15
 *   u32 sender     the sending node's incarnation (never 0)
 *   u32 receiver   the incarnation the sender believes the receiver has (0 in HELLO, HELLO_SECURE)
 *   ... payload    DATA: KCP segments; CLOSE: u8 reason; REFUSE: u8 reason; PING: nothing, or the
 *                  address the sender sees the receiver at (u8 family 4 or 6, the address, u16 port),
 *                  optionally followed by u8 flags (bit 0: the sender relays);
 *                  HELLO_SECURE, WELCOME_SECURE, CONFIRM: Noise XX messages 1, 2, 3 (32, 96, 64 bytes);
 *                  SEALED: u8 key epoch, u64 counter, then ChaCha20-Poly1305 of (u8 inner kind DATA,
 *                  PING, CLOSE, RELAY, RELAYED, RESERVE or RESERVED, its payload) with the header as
 *                  associated data; RELAY: the address to forward to, then a whole datagram of ours;
 *                  RELAYED: the address it came from, then that datagram; RESERVED: u8 status,
 *                  u16 seconds; others: nothing
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
    static final int HELLO_SECURE = 7;
    static final int WELCOME_SECURE = 8;
    static final int CONFIRM = 9;
    static final int SEALED = 10;
    static final int REFUSE = 11;
    /** A datagram for a relay to forward: the target's address, then the datagram (docs/PROTOCOL.md, section 7). */
    static final int RELAY = 12;
    /** A datagram a relay forwarded: the address it came from, then the datagram. */
    static final int RELAYED = 13;
    /** A node asks a relay to carry sessions to it (a reservation, docs/PROTOCOL.md section 7). */
    static final int RESERVE = 14;
    /** The relay's answer: u8 status, u16 seconds the reservation lasts. */
    static final int RESERVED = 15;
    /** RESERVED statuses. */
    static final int RESERVED_OK = 0;
    static final int RESERVED_NOT_A_RELAY = 1;
    static final int RESERVED_FULL = 2;

    /** The most a relay adds to a datagram it forwards, plain: its header and an IPv6 address. */
    static final int RELAY_OVERHEAD = HEADER_LENGTH + 1 + 16 + 2;
    /** PING flags, after the address report. */
    static final int FLAG_RELAYS = 1;

    /** REFUSE reasons. */
    static final int REFUSE_PLAIN_ONLY = 1;
    static final int REFUSE_SECURE_ONLY = 2;
    static final int REFUSE_KEY_NOT_ALLOWED = 3;
    static final int REFUSE_KEY_NOT_PINNED = 4;

    /** What a REFUSE's reason byte means, for the log of the node it refused. */
    static String refusal(int reason) {
        return switch (reason) {
            case REFUSE_PLAIN_ONLY -> "the peer is plain and this node is kcp.secure";
            case REFUSE_SECURE_ONLY -> "the peer is kcp.secure and this node is plain";
            case REFUSE_KEY_NOT_ALLOWED -> "the peer does not allow this node's static key";
            case REFUSE_KEY_NOT_PINNED -> "the peer expected another static key at this address";
            default -> "the peer refused it (reason " + reason + ")";
        };
    }

    /** A PING's report of the address its sender sees the receiver at: family, address, port. */
    static final int OBSERVED_V4 = 1 + 4 + 2;
    static final int OBSERVED_V6 = 1 + 16 + 2;

    /** The bytes that report an address: u8 family (4 or 6), the address, u16 port. */
    static byte[] observed(InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        byte[] out = new byte[1 + ip.length + 2];
        out[0] = (byte) (ip.length == 4 ? 4 : 6);
        System.arraycopy(ip, 0, out, 1, ip.length);
        out[out.length - 2] = (byte) (address.getPort() >>> 8);
        out[out.length - 1] = (byte) address.getPort();
        return out;
    }

    /** The address such bytes report, or empty if they are not exactly one (a PING without one, or garbage). */
    static Optional<InetSocketAddress> observed(byte[] bytes, int offset, int length) {
        int family = length > 0 ? bytes[offset] & 0xff : 0;
        int ipLength = family == 4 ? 4 : family == 6 ? 16 : -1;
        if (ipLength < 0 || length != 1 + ipLength + 2) {
            return Optional.empty();
        }
        int port = (bytes[offset + 1 + ipLength] & 0xff) << 8 | (bytes[offset + 2 + ipLength] & 0xff);
        if (port == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(bytes, offset + 1, offset + 1 + ipLength)), port));
        } catch (UnknownHostException impossible) {
            return Optional.empty(); // getByAddress refuses only wrong lengths, checked above
        }
    }

    /** A PING's report: where the sender sees the receiver, and whether the sender relays. */
    record Report(InetSocketAddress seenAs, boolean relays) {}

    /** A PING's report: an address (as {@link #observed(InetSocketAddress)} writes it) and u8 flags. */
    static byte[] report(InetSocketAddress seenAs, boolean relays) {
        byte[] address = observed(seenAs);
        byte[] out = Arrays.copyOf(address, address.length + 1);
        out[address.length] = (byte) (relays ? FLAG_RELAYS : 0);
        return out;
    }

    /**
     * The report such bytes make: an address alone (as the first nodes to report sent it) or
     * followed by a flags byte; empty if they are neither. Flags this version does not know are ignored.
     */
    static Optional<Report> report(byte[] bytes, int offset, int length) {
        int family = length > 0 ? bytes[offset] & 0xff : 0;
        int addressLength = 1 + (family == 4 ? 4 : 16) + 2;
        boolean flagged = length == addressLength + 1;
        return observed(bytes, offset, flagged ? addressLength : length)
                .map(seenAs -> new Report(seenAs, flagged && (bytes[offset + addressLength] & FLAG_RELAYS) != 0));
    }

    /** The address at the reader index of a RELAY or RELAYED payload, read past; null (nothing read) if there is none. */
    static InetSocketAddress readAddress(ByteBuf payload) {
        int family = payload.readableBytes() > 0 ? payload.getUnsignedByte(payload.readerIndex()) : 0;
        int length = family == 4 ? OBSERVED_V4 : family == 6 ? OBSERVED_V6 : 0;
        if (length == 0 || payload.readableBytes() < length) {
            return null;
        }
        byte[] bytes = new byte[length];
        payload.getBytes(payload.readerIndex(), bytes);
        Optional<InetSocketAddress> address = observed(bytes, 0, length);
        address.ifPresent(unused -> payload.skipBytes(length));
        return address.orElse(null);
    }

    /** A RELAY or RELAYED datagram around one of ours; releases that datagram. */
    static ByteBuf relay(ByteBufAllocator allocator, int kind, int sender, int receiver, byte[] address, ByteBuf datagram) {
        try {
            ByteBuf out = allocator.directBuffer(HEADER_LENGTH + address.length + datagram.readableBytes());
            writeHeader(out, kind, sender, receiver);
            out.writeBytes(address);
            out.writeBytes(datagram, datagram.readerIndex(), datagram.readableBytes());
            return out;
        } finally {
            datagram.release();
        }
    }

    /** A plain RESERVED: status and seconds. */
    static ByteBuf reserved(ByteBufAllocator allocator, int sender, int receiver, byte[] answer) {
        ByteBuf out = allocator.directBuffer(HEADER_LENGTH + answer.length);
        writeHeader(out, RESERVED, sender, receiver);
        out.writeBytes(answer);
        return out;
    }

    /** A plain PING with its report (see {@link #report(InetSocketAddress, boolean)}). */
    static ByteBuf ping(ByteBufAllocator allocator, int sender, int receiver, byte[] report) {
        ByteBuf out = allocator.directBuffer(HEADER_LENGTH + report.length);
        writeHeader(out, PING, sender, receiver);
        out.writeBytes(report);
        return out;
    }

    /** A SEALED datagram's smallest payload: epoch, counter, inner kind, tag. */
    static final int SEALED_OVERHEAD = 1 + 8 + 1 + SecureChannel.TAG_BYTES;
    /** The most a relay adds to a datagram it forwards, sealed: header, sealing and an IPv6 address. */
    static final int SEALED_RELAY_OVERHEAD = HEADER_LENGTH + SEALED_OVERHEAD + 1 + 16 + 2;

    /** CLOSE reasons. */
    static final int CLOSE_DELETED = 1;
    static final int CLOSE_SHUTDOWN = 2;
    static final int CLOSE_BAD_STREAM = 3;

    /** KCP's own segment header: conv, cmd, frg, wnd, ts, sn, una, len (the engine's layout, KcpEngine). */
    static final int KCP_OVERHEAD = KcpEngine.OVERHEAD;
    /** KCP's command byte of a data segment (IKCP_CMD_PUSH). */
    static final int KCP_PUSH = KcpEngine.CMD_PUSH;
    /** KCP's command byte of an acknowledgement (IKCP_CMD_ACK): its sn and ts are those of the segment it acknowledges. */
    static final int KCP_ACK = KcpEngine.CMD_ACK;
    /** Where cmd, frg, sn and len sit in a KCP segment header (conv is at 0). */
    private static final int KCP_CMD_AT = 4;
    private static final int KCP_FRG_AT = 5;
    private static final int KCP_TS_AT = 8;
    private static final int KCP_SN_AT = 12;
    private static final int KCP_LEN_AT = 20;

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
        if (kind < HELLO || kind > RESERVED || sender == 0 || (kind != HELLO && kind != HELLO_SECURE && receiver == 0)) {
            return null;
        }
        int payload = datagram.readableBytes() - HEADER_LENGTH;
        boolean sizeOk = switch (kind) {
            case DATA -> payload >= KCP_OVERHEAD;
            case CLOSE, REFUSE -> payload == 1;
            case PING -> payload == 0 || payload == OBSERVED_V4 || payload == OBSERVED_V6
                    || payload == OBSERVED_V4 + 1 || payload == OBSERVED_V6 + 1;
            case RELAY, RELAYED -> payload >= OBSERVED_V4 + HEADER_LENGTH;
            case RESERVED -> payload == 3;
            case HELLO_SECURE -> payload == Handshake.FIRST_MESSAGE;
            case WELCOME_SECURE -> payload == NoiseXX.MESSAGE_2;
            case CONFIRM -> payload == NoiseXX.MESSAGE_3;
            case SEALED -> payload >= SEALED_OVERHEAD;
            default -> payload == 0;
        };
        if (!sizeOk) {
            return null;
        }
        datagram.skipBytes(HEADER_LENGTH);
        return new Header(kind, sender, receiver);
    }

    /** A header-only datagram (or CLOSE or REFUSE with its reason). */
    static ByteBuf control(ByteBufAllocator allocator, int kind, int sender, int receiver, int reason) {
        ByteBuf out = allocator.directBuffer(HEADER_LENGTH + 1);
        writeHeader(out, kind, sender, receiver);
        if (kind == CLOSE || kind == REFUSE) {
            out.writeByte(reason);
        }
        return out;
    }

    /** A handshake datagram carrying one Noise message. */
    static ByteBuf handshake(ByteBufAllocator allocator, int kind, int sender, int receiver, byte[] message) {
        ByteBuf out = allocator.directBuffer(HEADER_LENGTH + message.length);
        writeHeader(out, kind, sender, receiver);
        out.writeBytes(message);
        return out;
    }

    /** The header bytes a SEALED datagram is authenticated with. */
    static byte[] sealedHeader(int sender, int receiver) {
        return new byte[] {(byte) MAGIC, (byte) VERSION, (byte) SEALED, (byte) (sender >>> 24), (byte) (sender >>> 16),
                (byte) (sender >>> 8), (byte) sender, (byte) (receiver >>> 24), (byte) (receiver >>> 16),
                (byte) (receiver >>> 8), (byte) receiver};
    }

    /** Bytes of a SEALED datagram before its ciphertext: header, key epoch, counter. */
    static final int SEALED_PREFIX = HEADER_LENGTH + 1 + 8;

    /** Writes a SEALED datagram's header, epoch and counter at its start, its reader index (its ciphertext follows them). */
    static void sealedPrefix(ByteBuf datagram, byte[] header, int epoch, long counter) {
        int start = datagram.readerIndex();
        datagram.setBytes(start, header);
        datagram.setByte(start + HEADER_LENGTH, epoch);
        datagram.setLong(start + HEADER_LENGTH + 1, counter);
    }

    /**
     * A DATA datagram around KCP's output: written in front of the segments if their buffer has
     * the room (HeaderRoom), else into a buffer of its own, releasing KCP's.
     */
    static ByteBuf data(ByteBufAllocator allocator, int sender, int receiver, ByteBuf segments) {
        int start = segments.readerIndex() - HEADER_LENGTH;
        if (start >= 0) {
            segments.setByte(start, MAGIC).setByte(start + 1, VERSION).setByte(start + 2, DATA)
                    .setInt(start + 3, sender).setInt(start + 7, receiver);
            return segments.readerIndex(start);
        }
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

    /** Whether checked KCP segments include data (a PUSH, which the receiver must acknowledge). */
    static boolean carriesData(ByteBuf payload) {
        for (int index = payload.readerIndex(); hasSegment(payload, index); index = nextSegment(payload, index)) {
            if (isPush(payload, index)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a whole segment header starts at {@code index} of checked KCP segments. */
    static boolean hasSegment(ByteBuf segments, int index) {
        return index + KCP_OVERHEAD <= segments.writerIndex();
    }

    /** The payload length of the segment at {@code index}. */
    static int segmentLength(ByteBuf segments, int index) {
        return segments.getIntLE(index + KCP_LEN_AT);
    }

    /** Where the segment after the one at {@code index} starts. */
    static int nextSegment(ByteBuf segments, int index) {
        return index + KCP_OVERHEAD + segmentLength(segments, index);
    }

    /** Whether the segment at {@code index} carries data (cmd PUSH). */
    static boolean isPush(ByteBuf segments, int index) {
        return segments.getUnsignedByte(index + KCP_CMD_AT) == KCP_PUSH;
    }

    /** Whether the segment at {@code index} acknowledges one (cmd ACK). */
    static boolean isAck(ByteBuf segments, int index) {
        return segments.getUnsignedByte(index + KCP_CMD_AT) == KCP_ACK;
    }

    /** The timestamp of the segment at {@code index}: the sender's clock in milliseconds, echoed in an ACK. */
    static int timestamp(ByteBuf segments, int index) {
        return segments.getIntLE(index + KCP_TS_AT);
    }

    /** The sequence number of the segment at {@code index} (a 32-bit serial number). */
    static int sequenceNumber(ByteBuf segments, int index) {
        return segments.getIntLE(index + KCP_SN_AT);
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
            int cmd = payload.getUnsignedByte(index + KCP_CMD_AT);
            int fragment = payload.getUnsignedByte(index + KCP_FRG_AT);
            int length = payload.getIntLE(index + KCP_LEN_AT);
            if (segmentConv != conv || cmd < 81 || cmd > 84 || fragment != 0 || length < 0 || length > mss
                    || length > end - index - KCP_OVERHEAD) {
                return false;
            }
            index += KCP_OVERHEAD + length;
        }
        return true;
    }
}
