package gladius.p2p.kcp.internal.core;

import gladius.p2p.kcp.internal.secure.SecureChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Optional;

/**
 * What an established session's datagrams look like on the wire: DATA, PING and CLOSE under the
 * session's two tags, either plain or sealed (kcp.secure: one SEALED datagram with the inner
 * kind, docs/PROTOCOL.md). Owns the session's {@link SecureChannel} and, for a secure initiator,
 * the third handshake message, sent along with sealed datagrams until the responder is heard
 * from (its datagram authenticating proves it has the message). Writes on the session's
 * {@link Link} (direct or relayed); never flushes. Event loop only.
 */
final class Wire {

    /** How often, at most, the third handshake message rides along with sealed datagrams. */
    private static final long CONFIRM_RESEND_MILLIS = 50;

    private final Driver endpoint;
    private final Link link;
    /** What every PING reports: the address we see the peer at (fixed for the session), and whether we relay. */
    private final byte[] report;
    private final int localTag;
    private final int remoteTag;
    private final SecureChannel channel;
    /** What a SEALED datagram authenticates: its header, as this side sends it and as it receives it. */
    private final byte[] sendingHeader;
    private final byte[] receivingHeader;
    /** A secure initiator's third handshake message; null for plain sessions and responders. */
    private final byte[] confirm;
    private boolean confirmed;
    private long lastConfirmAt;
    private long lastSentAt;

    private Wire(Driver endpoint, Link link, boolean relays, int localTag, int remoteTag, SecureChannel channel,
                 byte[] confirm, long now, long lastSentAt) {
        this.endpoint = endpoint;
        this.link = link;
        this.report = Datagram.report(link.remote, relays);
        this.localTag = localTag;
        this.remoteTag = remoteTag;
        this.channel = channel;
        this.sendingHeader = Datagram.sealedHeader(localTag, remoteTag);
        this.receivingHeader = Datagram.sealedHeader(remoteTag, localTag);
        this.confirm = confirm;
        this.confirmed = confirm == null;
        this.lastConfirmAt = now;
        this.lastSentAt = lastSentAt;
    }

    /**
     * Plain datagrams under the two tags; {@code relays}: this node relays (its PINGs say so);
     * {@code lastSentAt} is when the session last sent anything.
     */
    static Wire plain(Driver endpoint, Link link, boolean relays, int localTag, int remoteTag, long lastSentAt) {
        return new Wire(endpoint, link, relays, localTag, remoteTag, null, null, 0, lastSentAt);
    }

    /** Sealed datagrams; {@code confirm} is the initiator's third handshake message (null for a responder). */
    static Wire sealed(Driver endpoint, Link link, boolean relays, int localTag, int remoteTag, SecureChannel channel,
                       byte[] confirm, long now, long lastSentAt) {
        return new Wire(endpoint, link, relays, localTag, remoteTag, channel, confirm, now, lastSentAt);
    }

    boolean secure() {
        return channel != null;
    }

    /** Bytes each datagram spends beyond the KCP segments it carries (a relay's wrapping included, if relayed). */
    int overhead() {
        return Datagram.HEADER_LENGTH + (secure() ? Datagram.SEALED_OVERHEAD : 0) + link.overhead(secure());
    }

    /** When DATA or a PING last went out (the session's creation until then). */
    long lastSentAt() {
        return lastSentAt;
    }

    /** One datagram of KCP segments; takes ownership of the buffer. */
    void data(ByteBuf segments) {
        lastSentAt = endpoint.now();
        if (secure()) {
            writeSealed(Datagram.DATA, null, segments, false);
        } else {
            link.write(Datagram.data(endpoint.alloc(), localTag, remoteTag, segments));
        }
    }

    /**
     * Where the session's KCP engine takes its buffers from: with the room this wire's DATA
     * datagrams need around the segments, so that they are sent (and sealed) where KCP wrote them.
     */
    io.netty.buffer.ByteBufAllocator segmentAllocator() {
        return secure()
                ? new HeaderRoom(endpoint.alloc(), Datagram.SEALED_PREFIX + 1, SecureChannel.TAG_BYTES, false)
                : new HeaderRoom(endpoint.alloc(), Datagram.HEADER_LENGTH, 0, true);
    }

    /** A keepalive, which also tells the peer the address we see it at (docs/PROTOCOL.md). */
    void ping(long now) {
        lastSentAt = now;
        if (secure()) {
            writeSealed(Datagram.PING, report, null, false);
        } else {
            link.write(Datagram.ping(endpoint.alloc(), localTag, remoteTag, report));
        }
    }

    /**
     * A PING straight to the peer's address while the session goes through a relay: if it gets
     * through (and the peer's own such PINGs have opened its NAT for ours), the session goes direct.
     */
    void punch() {
        if (secure()) {
            writeSealed(Datagram.PING, report, null, true);
        } else {
            link.writeDirect(Datagram.ping(endpoint.alloc(), localTag, remoteTag, report));
        }
    }

    /** Tells the peer the session is over, with a reason (Datagram.CLOSE_*). */
    void close(int reason) {
        if (secure()) {
            writeSealed(Datagram.CLOSE, new byte[] {(byte) reason}, null, false);
        } else {
            link.writeControl(Datagram.CLOSE, localTag, remoteTag, reason);
        }
    }

    /**
     * A RELAY (to the peer, a relay: forward this) or RELAYED (from the peer's relay: this came
     * from {@code address}) around one whole datagram of ours; sealed in secure mode, so only the
     * two ends of this session can make or read it. Takes ownership of the datagram.
     */
    void relay(int kind, byte[] address, ByteBuf datagram) {
        lastSentAt = endpoint.now();
        if (secure()) {
            writeSealed(kind, address, datagram, false);
        } else {
            link.write(Datagram.relay(endpoint.alloc(), kind, localTag, remoteTag, address, datagram));
        }
    }

    /** Asks the peer, a relay, to carry sessions to this node (RESERVE). */
    void reserve() {
        if (secure()) {
            writeSealed(Datagram.RESERVE, null, null, false);
        } else {
            link.writeControl(Datagram.RESERVE, localTag, remoteTag, 0);
        }
    }

    /** Answers a RESERVE: a status and the seconds the reservation lasts. */
    void reserved(int status, int seconds) {
        byte[] answer = {(byte) status, (byte) (seconds >>> 8), (byte) seconds};
        if (secure()) {
            writeSealed(Datagram.RESERVED, answer, null, false);
        } else {
            link.write(Datagram.reserved(endpoint.alloc(), localTag, remoteTag, answer));
        }
    }

    /**
     * Seals one inner datagram: its kind, then {@code head} (if any) and {@code tail} (if any,
     * released here): DATA with segments, PING with a report, CLOSE with a reason, RELAY and
     * RELAYED with an address and a datagram, RESERVE, RESERVED with its answer. Sent on the
     * link, or straight to the peer's address if {@code direct}.
     */
    private void writeSealed(int innerKind, byte[] head, ByteBuf tail, boolean direct) {
        ByteBuf sealed = head == null && tail != null && hasSealingRoom(tail) ? inPlace(innerKind, tail) : copied(innerKind, head, tail);
        int start = sealed.readerIndex();
        int plainLength = sealed.writerIndex() - start - Datagram.SEALED_PREFIX;
        long now = endpoint.now();
        if (!confirmed && confirm != null && now - lastConfirmAt >= CONFIRM_RESEND_MILLIS) {
            // The responder may not have our third message yet; until it answers, send it along.
            lastConfirmAt = now;
            resendConfirm();
        }
        long counter = channel.seal(sendingHeader, sealed.array(), sealed.arrayOffset() + start + Datagram.SEALED_PREFIX,
                plainLength, now);
        sealed.writerIndex(start + Datagram.SEALED_PREFIX + plainLength + SecureChannel.TAG_BYTES);
        Datagram.sealedPrefix(sealed, sendingHeader, channel.sendEpoch(), counter);
        if (direct) {
            link.writeDirect(sealed);
        } else {
            link.write(sealed);
        }
    }

    /** Whether KCP's buffer has the room around its segments to become the sealed datagram (HeaderRoom). */
    private static boolean hasSealingRoom(ByteBuf segments) {
        return segments.hasArray() && segments.readerIndex() >= Datagram.SEALED_PREFIX + 1
                && segments.capacity() - segments.writerIndex() >= SecureChannel.TAG_BYTES;
    }

    /** The inner kind in front of the segments, in their own buffer: header, epoch and counter go before it. */
    private static ByteBuf inPlace(int innerKind, ByteBuf segments) {
        int start = segments.readerIndex() - 1 - Datagram.SEALED_PREFIX;
        segments.setByte(start + Datagram.SEALED_PREFIX, innerKind);
        return segments.readerIndex(start);
    }

    /**
     * A buffer with room for header, epoch and counter, then the inner kind, {@code head} (if
     * any) and {@code tail} (if any, released here), then room for the tag; its reader index at
     * the start of the datagram and its writer index after the plaintext.
     */
    private ByteBuf copied(int innerKind, byte[] head, ByteBuf tail) {
        int plainLength = 1 + (head == null ? 0 : head.length) + (tail == null ? 0 : tail.readableBytes());
        ByteBuf sealed = endpoint.alloc().heapBuffer(Datagram.SEALED_PREFIX + plainLength + SecureChannel.TAG_BYTES);
        try {
            sealed.writerIndex(Datagram.SEALED_PREFIX).writeByte(innerKind);
            if (head != null) {
                sealed.writeBytes(head);
            }
            if (tail != null) {
                sealed.writeBytes(tail);
            }
            return sealed;
        } catch (RuntimeException e) {
            sealed.release();
            throw e;
        } finally {
            if (tail != null) {
                tail.release();
            }
        }
    }

    /** Sends the third handshake message again, if this side is an initiator; false if it is not. */
    boolean resendConfirm() {
        if (confirm == null) {
            return false;
        }
        link.write(Datagram.handshake(endpoint.alloc(), Datagram.CONFIRM, localTag, remoteTag, confirm));
        return true;
    }

    /**
     * Opens a SEALED datagram's payload (epoch, counter, ciphertext) of this session's tags: the
     * inner datagram (its kind, then what it carries), or empty if it is forged, damaged or a
     * replay. One that opens proves the peer has our third message.
     */
    Optional<ByteBuf> open(ByteBuf payload) {
        int epoch = payload.readUnsignedByte();
        long counter = payload.readLong();
        byte[] bytes = ByteBufUtil.getBytes(payload);
        int length = channel.open(receivingHeader, epoch, counter, bytes, 0, bytes.length);
        if (length <= 0) {
            return Optional.empty();
        }
        confirmed = true;
        return Optional.of(Unpooled.wrappedBuffer(bytes, 0, length));
    }

    /** Plain sessions always; secure ones once the peer is known to have finished the handshake. */
    boolean confirmed() {
        return confirmed;
    }
}
