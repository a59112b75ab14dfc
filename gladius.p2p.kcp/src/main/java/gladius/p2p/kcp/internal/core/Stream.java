package gladius.p2p.kcp.internal.core;

import gladius.p2p.kcp.internal.dispatch.PluginDispatcher;
import gladius.p2p.kcp.internal.observe.Counters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The reliable stream of one established session: a KCP engine in stream mode, frames moved
 * from the peer's queue into it, frames read out of it to the {@link PluginDispatcher}, and the
 * engine's update timer (only while it has work). Owns the engine and the partial frame it
 * holds; writes datagrams only through its {@link Wire}. Made by its {@link Session}, which it
 * tells through two callbacks when the plugins are full and when the stream cannot be parsed.
 * Event loop only.
 */
final class Stream {

    /** How a read ended. */
    enum Read { DONE, NO_ROOM, BAD_STREAM }

    /** Who takes the stream's control frames (Frames#control): the session, never the plugins. */
    interface Controls {
        void control(int kind, java.nio.ByteBuffer body);
    }

    /**
     * Data is acknowledged at the latest after this many datagrams of it, or this long after the
     * first one not yet acknowledged, unless something going back carries the ACK sooner: one ACK
     * datagram per data datagram cost a datagram, a syscall on each side and a sender service
     * for each (benchmarks/KcpEngine, docs/BENCHMARKS.md).
     */
    private static final int ACK_EVERY_DATAGRAMS = 16;
    private static final long ACK_DELAY_MILLIS = 1;
    /**
     * A planned update this late means the loop stood still (a collection pause, a descheduled
     * thread, a loop too busy to run its timers): the time past it is left out of the engine's clock.
     */
    static final long STALLED_MILLIS = 10;

    private final Peer peer;
    private final KcpSettings settings;
    private final Counters counters;
    private final PluginDispatcher dispatcher;
    private final Driver endpoint;
    private final Timers timers;
    private final Wire wire;
    private final Runnable onNoRoom;
    private final Runnable onBadStream;
    private final Controls controls;
    private final KcpEngine kcp;
    private final Frames.Reader reader;
    private final SendControl control;
    private final InFlight inFlight = new InFlight();
    private boolean released;
    /** The stream could not be parsed: counted once, and the session told by the next service. */
    private boolean broken;
    /** Waiting for the plugins to make room before more frames are read. */
    private boolean paused;
    private Timers.Timer timer;
    /** When the planned update is due, on the engine's clock. */
    private long timerDue;
    /** Milliseconds this loop was seen standing still while the engine had work: not on the engine's clock. */
    private long stalled;
    /** Datagrams of data taken in since the engine last flushed (their ACKs wait), and when the first came. */
    private int unacknowledged;
    private long firstUnacknowledgedAt;
    /** A datagram of acknowledgements only came in since the engine last flushed: window or resends may be due. */
    private boolean acknowledged;
    /** Data came in past a missing segment since the engine last flushed: its ACK goes at once. */
    private boolean gap;

    /**
     * A stream on a new KCP engine for conversation {@code conv}; {@code onNoRoom} runs when the
     * plugins are full (service it again when they have room), {@code onBadStream} when the bytes
     * cannot be frames (the session must end).
     */
    Stream(int conv, Peer peer, SessionContext context, Wire wire, Runnable onNoRoom, Runnable onBadStream, Controls controls) {
        this.peer = peer;
        this.settings = context.settings();
        this.counters = context.counters();
        this.dispatcher = context.dispatcher();
        this.endpoint = context.endpoint();
        this.timers = context.timers();
        this.wire = wire;
        this.onNoRoom = onNoRoom;
        this.onBadStream = onBadStream;
        this.controls = controls;
        this.reader = new Frames.Reader(settings.maxFrameLength());
        this.kcp = new KcpEngine(conv, settings.mtu() - wire.overhead(), wire::data, wire.segmentAllocator(), endpoint.alloc());
        kcp.nodelay(settings.nodelay(), (int) settings.interval().toMillis(), settings.fastResend(),
                !settings.congestionControl());
        kcp.windows(settings.sendWindow(), settings.receiveWindow());
        this.control = new SendControl(settings.overloadBackoff(), settings.sendWindow(), settings.minRto().toMillis(),
                ACK_DELAY_MILLIS);
        steer(); // after nodelay and windows, which set KCP's own
    }

    /**
     * Hands a datagram's KCP segments to the engine if they are whole and of this conversation
     * (checked before the engine sees them); false, counted as malformed, if not or if the engine
     * refused them. The engine copies what it keeps: no part of the datagram's buffer outlives
     * the call, whatever buffer the driver read it into.
     */
    boolean input(ByteBuf segments, long loopNow) {
        long now = clock(loopNow);
        if (segments.readableBytes() < Datagram.KCP_OVERHEAD || !Datagram.segmentsValid(segments, kcp.conv(), kcp.mss())) {
            counters.malformedInputs.increment();
            return false;
        }
        boolean data = Datagram.carriesData(segments);
        int una = kcp.sndUna();
        if (kcp.input(segments, (int) now) < 0) {
            counters.malformedInputs.increment();
            return false;
        }
        control.heard();
        boolean acks = takeRoundTrips(segments, segments.readerIndex(), now);
        if (acks || kcp.sndUna() != una) {
            steer();
            inFlight.acknowledgedTo(kcp.acknowledgedBytes());
        }
        if (!data) {
            acknowledged = true;
        } else if (unacknowledged++ == 0) {
            firstUnacknowledgedAt = now;
        }
        // Data past a gap is acknowledged at once, not after the ACK delay (RFC 9000, section
        // 13.2.1; TCP's duplicate ACKs): the sender learns of the loss that much sooner.
        gap |= data && kcp.hasGap();
        return true;
    }

    /**
     * Gives the sender's control the round trip of every acknowledgement among these (checked)
     * segments, from the send time each echoes; true if there was any.
     */
    private boolean takeRoundTrips(ByteBuf segments, int start, long now) {
        boolean any = false;
        for (int index = start; Datagram.hasSegment(segments, index); index = Datagram.nextSegment(segments, index)) {
            if (Datagram.isAck(segments, index)) {
                control.acknowledged(now, Datagram.sequenceNumber(segments, index), (int) now - Datagram.timestamp(segments, index));
                any = true;
            }
        }
        return any;
    }

    /** After input, new frames or room in the plugins: read, send what waits, let KCP flush, plan the next update. */
    void service(long loopNow) {
        service(clock(loopNow), false);
    }

    /**
     * The engine's clock at the loop's time {@code loopNow}: the loop's clock less every stretch
     * in which the loop stood still while an update was due. A retransmission timeout counts only
     * time in which this node could have read the acknowledgement: after a pause, the ACKs sent
     * before it wait unread in the socket (and a peer paused with us, as any node in the same
     * process, has not even sent them yet), so a timeout counted across the pause would resend
     * whole windows that were never lost. RFC 6298 leaves the timer to the kernel, which never
     * stops; a sender in user space has to say what its own stops were. A stall is measured
     * on the planned update, which is never more than kcp.interval ahead while anything is in
     * flight.
     */
    private long clock(long loopNow) {
        long now = loopNow - stalled;
        if (timer != null && now - timerDue >= STALLED_MILLIS) {
            stalled += now - timerDue;
            now = timerDue;
        }
        return now;
    }

    /**
     * As above; with {@code due} (the engine's timer) KCP always flushes. Otherwise it flushes
     * when there is something to send at once: new data, acknowledgements that may have opened
     * the window or called for a fast resend, data past a gap (its ACK tells the sender of a
     * loss), or ACKs that have waited long enough; other ACKs of data wait for one of those (or
     * for the timer planned at their deadline).
     */
    private void service(long now, boolean due) {
        paused = false;
        switch (read()) {
            case NO_ROOM -> {
                paused = true;
                onNoRoom.run();
            }
            case BAD_STREAM -> {
                onBadStream.run();
                return;
            }
            case DONE -> { }
        }
        boolean moved = pump();
        if (due || moved || acknowledged || gap || unacknowledged >= ACK_EVERY_DATAGRAMS
                || (unacknowledged > 0 && now - firstUnacknowledgedAt >= ACK_DELAY_MILLIS)) {
            flush(now);
        }
        planUpdate(now);
    }

    private void flush(long now) {
        flush(now, false);
    }

    /** Lets the engine flush; {@code cork}: a partial last segment may wait (KcpEngine#update(int, boolean)). */
    private void flush(long now, boolean cork) {
        int timeouts = kcp.timeouts();
        int resentBefore = kcp.resends();
        kcp.update((int) now, cork);
        timeouts = kcp.timeouts() - timeouts;
        control.flushed(now, Integer.toUnsignedLong(kcp.sndNxt()), Integer.toUnsignedLong(kcp.sndUna()),
                kcp.resends() - resentBefore, timeouts, kcp.rto());
        inFlight.acknowledgedTo(kcp.acknowledgedBytes());
        if (timeouts > 0) {
            steer();
        }
        unacknowledged = 0;
        acknowledged = false;
        gap = false;
    }

    /**
     * New frames wait in the peer's queue: they go into the engine and out at once, as far as
     * its windows let them, whether data is in flight or not. This runs once per wake of the
     * loop, not per message. (A busy engine used to take them in only on its next ACK or timer,
     * since a KCP flush walks the whole send buffer; but then the end of every burst waited for
     * the receiver's delayed ACK: 64 B one-way 1.14-1.21 M msg/s that way, 1.87-2.13 M this way,
     * with less CPU per message; 1 KiB the same. docs/BENCHMARKS.md.)
     *
     * <p>Only a last segment not yet full waits, and only while earlier data is in flight: for
     * the next wake to fill it, the next acknowledgement, or a millisecond, whichever is first.
     * A loop that keeps up with its sender wakes for a few small messages at a time, and sending
     * each wake's partial datagram made a third of all datagrams small ones (64 B one-way:
     * 2.3-2.6 M msg/s against 2.9-3.0 M with kcp-netty's slower engine, whose wakes found more).
     */
    void send(long loopNow) {
        long now = clock(loopNow);
        if (pump()) {
            flush(now, true);
        }
        planUpdate(now);
    }

    /** Puts a control frame (Frames#control) into the stream, ahead of what the peer's queue holds yet, and flushes. */
    void sendControl(byte[] frame, long loopNow) {
        long now = clock(loopNow);
        kcp.send(Unpooled.wrappedBuffer(frame)); // copied
        inFlight.pushed(frame.length, false);
        flush(now);
        planUpdate(now);
    }

    /**
     * Gives the engine its first round-trip sample before any data: the handshake's, as TCP may
     * take the SYN's (RFC 6298, section 2). Without one KCP's first retransmission timeout is
     * 200 ms whatever the path, and on a longer one the whole first window went out twice
     * (SessionCoreTest, 400 ms round trip: 64-68 of ~75 segments). First sample R: timeout 3R,
     * as RFC 6298's.
     */
    void seedRoundTrip(int rttMillis) {
        kcp.sample(rttMillis);
    }

    /** Still waiting for the plugins. */
    boolean paused() {
        return paused;
    }

    /**
     * Delivers whole frames to the plugins while they have room, reading the engine's received
     * data where it lies: each byte is copied once more, into its frame (Frames.Reader), so the
     * stream holds at most one partial frame beside what the engine holds in its window.
     */
    private Read read() {
        while (true) {
            if (!dispatcher.hasRoom()) {
                return Read.NO_ROOM;
            }
            ByteBuf piece = kcp.received();
            if (piece == null) {
                return Read.DONE;
            }
            switch (reader.next(piece)) {
                case FRAME -> deliver();
                case CONTROL -> controls.control(reader.controlKind(), reader.body());
                case BAD_CHECKSUM -> counters.checksumFailures.increment();
                case BAD_TYPE -> counters.malformedInputs.increment();
                case BAD_STREAM -> {
                    if (!broken) { // (the session may service the stream again before it ends it)
                        broken = true;
                        counters.malformedInputs.increment();
                    }
                    return Read.BAD_STREAM;
                }
                case NEED_MORE -> { }
            }
        }
    }

    private void deliver() {
        peer.received();
        counters.messagesReceived.increment();
        dispatcher.message(new KcpMessage(peer.address, reader.type(), reader.typeBytes(), reader.body(), reader.checksum()));
    }

    /** Moves waiting frames from the peer's queue into the engine while its send buffer has room; true if any. */
    private boolean pump() {
        int limit = 2 * settings.sendWindow();
        boolean moved = false;
        ByteBuf frame;
        while (kcp.waitSnd() < limit && (frame = peer.poll()) != null) {
            try {
                inFlight.pushed(frame.readableBytes(), true);
                kcp.send(frame); // copied
            } finally {
                frame.release();
            }
            peer.sent();
            counters.messagesSent.increment();
            moved = true;
        }
        return moved;
    }

    /** Gives the engine what {@link SendControl} decided: the window and the retransmission timeout's floor. */
    private void steer() {
        kcp.sendWindow(control.window());
        kcp.minRto(control.minRto());
    }

    /**
     * Schedules the next KCP update only while the engine has work: idle sessions cost no timer.
     * Not before a resend back-off ends, except to send ACKs that are due.
     */
    private void planUpdate(long now) {
        if (!kcp.hasWork()) {
            return;
        }
        long due = now + Math.max(1, kcp.check((int) now) - (int) now);
        due = Math.max(due, control.holdUntil());
        if (unacknowledged > 0) {
            due = Math.max(now + 1, Math.min(due, firstUnacknowledgedAt + ACK_DELAY_MILLIS));
        }
        if (kcp.holdsTail()) {
            due = Math.min(due, now + 1);
        }
        if (timer != null && timerDue <= due) {
            return;
        }
        if (timer != null) {
            timer.cancel();
        }
        timerDue = due;
        timer = timers.at(due + stalled, this::onTimer); // the driver's clock: the engine's, plus what it left out
    }

    private void onTimer() {
        if (released) {
            timer = null;
            return;
        }
        long now = clock(endpoint.now()); // while the timer is still set, so that its lateness counts
        timer = null;
        service(now, true);
    }

    /** The sender's own smoothed round trip (SendControl) once it has one, else the engine's. */
    int smoothedRttMillis() {
        int own = control.smoothedRttMillis();
        return own >= 0 ? own : kcp.srtt();
    }

    /** PUSH segments sent again, on a timeout or a fast resend. */
    long retransmissions() {
        return kcp.resends();
    }

    /**
     * Messages handed to the engine that the peer has not acknowledged: lost if the session ends
     * now (the receiving side delivers in order as it reads, so the acknowledged ones arrived).
     */
    int unacknowledgedMessages() {
        inFlight.acknowledgedTo(kcp.acknowledgedBytes());
        return inFlight.unacknowledged();
    }

    /** Stops the engine and its timer and frees its buffers. */
    void release() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        released = true;
        kcp.release();
    }
}
