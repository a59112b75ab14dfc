package gladius.p2p.kcp.internal;

import gladius.p2p.kcp.internal.secure.NoiseXX;
import gladius.p2p.kcp.internal.secure.SecureChannel;
import io.jpower.kcp.netty.Kcp;
import io.jpower.kcp.netty.KcpOutput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One reliable stream with one peer: a KCP engine in stream mode, and the frames read from it.
 * Confined to the network's event loop. A session is identified by two random tags, one chosen
 * by each side when it opens (docs/PROTOCOL.md), so a datagram from an older session or an
 * earlier incarnation of the peer never reaches this one's engine.
 */
final class Session implements KcpOutput {

    /** CONNECTING: we dialed; HANDSHAKING: a secure responder waiting for the third message. */
    enum State { CONNECTING, HANDSHAKING, ESTABLISHED, CLOSED }

    private static final int MAX_SEGMENTS_PER_SEND = 64;

    final Peer peer;
    final int localTag;
    private final SessionLayer layer;
    private final KcpSettings settings;
    private final Frames.Reader reader;
    private final List<ByteBuf> received = new ArrayList<>();

    State state = State.CONNECTING;
    boolean inbound;
    int remoteTag;
    long startedAt;
    long lastReceivedAt;
    long lastSentAt;
    long nextHelloAt;
    long helloInterval;
    /** Waiting for the plugins to make room before more frames are read. */
    boolean paused;
    /** In the layer's list of sessions to service at the end of a read batch. */
    boolean touched;

    // Secure sessions only (kcp.secure): the handshake, then the keys and counters of the datagrams.
    NoiseXX noise;
    /** The last handshake message this side sent, resent when the peer seems not to have it. */
    byte[] handshakeMessage;
    SecureChannel channel;
    /** The peer's static key, once the handshake proved it. */
    byte[] remoteStatic;
    /** The initiator has heard an authenticated datagram, so the peer has its third message. */
    boolean confirmed;
    long lastConfirmAt;

    private Kcp kcp;
    private CompositeByteBuf stream;
    private ScheduledFuture<?> timer;
    private long timerDue;

    Session(SessionLayer layer, Peer peer, int localTag, long now) {
        this.layer = layer;
        this.peer = peer;
        this.localTag = localTag;
        this.settings = layer.settings;
        this.reader = new Frames.Reader(settings.maxFrameLength());
        this.startedAt = now;
        this.lastReceivedAt = now;
        this.lastSentAt = now;
    }

    /** A secure handshake finished: keep its keys and the peer's static key, then start the engine. */
    void establishSecure(int remoteTag, byte[][] keys, byte[] remoteStatic, long now) {
        this.channel = new SecureChannel(keys[0], keys[1], settings.rekeyAfterDatagrams(), settings.rekeyAfter().toMillis(), now);
        this.remoteStatic = remoteStatic;
        this.noise = null;
        establish(remoteTag, now);
    }

    boolean secure() {
        return channel != null;
    }

    /** Both tags are known: start the engine. */
    void establish(int remoteTag, long now) {
        this.remoteTag = remoteTag;
        this.state = State.ESTABLISHED;
        this.lastReceivedAt = now;
        kcp = new Kcp(localTag ^ remoteTag, this);
        kcp.nodelay(settings.nodelay(), (int) settings.interval().toMillis(), settings.fastResend(),
                !settings.congestionControl());
        kcp.wndsize(settings.sendWindow(), settings.receiveWindow());
        kcp.setMtu(settings.mtu() - Datagram.HEADER_LENGTH - (secure() ? Datagram.SEALED_OVERHEAD : 0));
        kcp.setStream(true);
        kcp.setByteBufAllocator(layer.allocator());
        stream = layer.allocator().compositeDirectBuffer(256);
        peer.redialDelay = 0;
    }

    int conv() {
        return localTag ^ remoteTag;
    }

    int mss() {
        return kcp.getMtu() - Datagram.KCP_OVERHEAD;
    }

    boolean established() {
        return state == State.ESTABLISHED;
    }

    /** Hands a checked DATA payload to the engine; false if the engine refused it. */
    boolean input(ByteBuf segments) {
        return kcp.input(segments) >= 0;
    }

    /** After input or new frames: read, send what waits, let KCP flush, and plan the next update. */
    void service(long now) {
        if (state != State.ESTABLISHED) {
            return;
        }
        readFrames();
        if (state != State.ESTABLISHED) {
            return; // the stream was bad and the session closed
        }
        pump();
        kcp.update((int) now);
        planUpdate(now);
    }

    /**
     * New frames wait in the peer's queue. An idle engine sends them at once; a busy one takes
     * them in on its next ACK or timer, since each KCP flush walks the whole send buffer and a
     * flush per message would cost more than it saves.
     */
    void send(long now) {
        if (state != State.ESTABLISHED) {
            return;
        }
        if (kcp.waitSnd() == 0) {
            pump();
            kcp.update((int) now);
            planUpdate(now);
        } else if (timer == null) {
            planUpdate(now);
        }
    }

    /** Reads whole frames out of the engine while the plugins have room. */
    void readFrames() {
        paused = false;
        while (state == State.ESTABLISHED) {
            if (!layer.dispatcher().hasRoom()) {
                layer.pause(this);
                return;
            }
            switch (reader.next(stream)) {
                case FRAME -> layer.deliver(this, reader.type(), reader.typeBytes(), reader.body(), reader.checksum());
                case BAD_CHECKSUM -> layer.counters().checksumFailures.increment();
                case BAD_TYPE -> layer.counters().malformedInputs.increment();
                case BAD_STREAM -> {
                    layer.counters().malformedInputs.increment();
                    layer.closeSession(this, Datagram.CLOSE_BAD_STREAM, "the stream could not be parsed");
                    return;
                }
                case NEED_MORE -> {
                    // Drop what was read first, so the stream holds at most one partial frame.
                    stream.discardReadComponents();
                    if (!kcp.canRecv()) {
                        return;
                    }
                    kcp.recv(received);
                    for (ByteBuf segment : received) {
                        stream.addComponent(true, segment);
                    }
                    received.clear();
                }
            }
        }
    }

    /** Moves waiting frames from the peer's queue into the engine while its send buffer has room. */
    void pump() {
        int limit = 2 * settings.sendWindow();
        ByteBuf frame;
        while (kcp.waitSnd() < limit && (frame = peer.poll()) != null) {
            try {
                int chunk = MAX_SEGMENTS_PER_SEND * mss();
                while (frame.isReadable()) {
                    kcp.send(frame.readSlice(Math.min(chunk, frame.readableBytes())));
                }
            } finally {
                frame.release();
            }
            peer.messagesSent++;
            layer.counters().messagesSent.increment();
        }
    }

    /** Schedules the next KCP update only while the engine has work: idle sessions cost no timer. */
    private void planUpdate(long now) {
        if (!kcp.checkFlush() && kcp.waitSnd() == 0) {
            return;
        }
        long due = now + Math.max(1, kcp.check((int) now) - (int) now);
        if (timer != null && timerDue <= due) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerDue = due;
        timer = layer.loop().schedule(this::onTimer, due - now, TimeUnit.MILLISECONDS);
    }

    private void onTimer() {
        timer = null;
        if (state == State.ESTABLISHED) {
            service(layer.now());
            layer.flush();
        }
    }

    /** KCP's output: one datagram of segments, sent under this session's tags. */
    @Override
    public void out(ByteBuf segments, Kcp engine) {
        lastSentAt = layer.now();
        if (secure()) {
            layer.writeSealed(this, Datagram.DATA, segments, 0);
        } else {
            layer.write(peer.remote, Datagram.data(layer.allocator(), localTag, remoteTag, segments));
        }
    }

    int smoothedRttMillis() {
        return kcp == null ? 0 : kcp.getMetric().srtt();
    }

    long retransmissions() {
        return kcp == null ? 0 : kcp.getMetric().xmit();
    }

    /** Stops the engine and frees its buffers. */
    void release() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (kcp != null) {
            peer.retransmissionsOfClosedSessions += retransmissions();
            kcp.release();
        }
        if (stream != null) {
            stream.release();
            stream = null;
        }
        state = State.CLOSED;
    }
}
