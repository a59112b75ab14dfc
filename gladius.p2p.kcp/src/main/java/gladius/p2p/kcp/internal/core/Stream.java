package gladius.p2p.kcp.internal.core;

import gladius.p2p.kcp.internal.dispatch.PluginDispatcher;
import gladius.p2p.kcp.internal.observe.Counters;
import io.jpower.kcp.netty.Kcp;
import io.jpower.kcp.netty.KcpMetric;
import io.jpower.kcp.netty.KcpOutput;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The reliable stream of one established session: a KCP engine in stream mode, frames moved
 * from the peer's queue into it, frames read out of it to the {@link PluginDispatcher}, and the
 * engine's update timer (only while it has work). Owns the engine and the partial frame it
 * holds; writes datagrams only through its {@link Wire}. Made by its {@link Session}, which it
 * tells through two callbacks when the plugins are full and when the stream cannot be parsed.
 * Event loop only.
 */
final class Stream implements KcpOutput {

    /** How a read ended. */
    enum Read { DONE, NO_ROOM, BAD_STREAM }

    /** Who takes the stream's control frames (Frames#control): the session, never the plugins. */
    interface Controls {
        void control(int kind, java.nio.ByteBuffer body);
    }

    private static final int MAX_SEGMENTS_PER_SEND = 64;
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
    private final Kcp kcp;
    private final Frames.Reader reader;
    private final SendControl control;
    /** Received stream data the engine handed over, in order: owned here from index {@code unread} on. */
    private final List<ByteBuf> received = new ArrayList<>();
    private int unread;
    private final InFlight inFlight = new InFlight();
    private boolean released;
    /** The stream could not be parsed: counted once, and the session told by the next service. */
    private boolean broken;
    /** PUSH segments sent again (on a timeout or a fast resend), and the number after the newest one sent. */
    private long resent;
    private int nextSn;
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
        this.kcp = new Kcp(conv, this);
        kcp.nodelay(settings.nodelay(), (int) settings.interval().toMillis(), settings.fastResend(),
                !settings.congestionControl());
        kcp.wndsize(settings.sendWindow(), settings.receiveWindow());
        this.control = new SendControl(settings.overloadBackoff(), settings.sendWindow(), settings.minRto().toMillis(),
                ACK_DELAY_MILLIS);
        steer(); // after nodelay and wndsize, which set KCP's own
        kcp.setMtu(settings.mtu() - wire.overhead());
        kcp.setStream(true);
        kcp.setByteBufAllocator(wire.segmentAllocator());
    }

    /** The largest segment payload. */
    private int mss() {
        return kcp.getMtu() - Datagram.KCP_OVERHEAD;
    }

    /**
     * Hands a datagram's KCP segments to the engine if they are whole and of this conversation
     * (checked before the engine sees them); false, counted as malformed, if not or if the engine
     * refused them. {@code inReadBuffer}: the segments lie in a buffer the driver's read shares
     * with other datagrams (Driver#readsShareBuffers), not in one of their own.
     */
    boolean input(ByteBuf segments, boolean inReadBuffer, long loopNow) {
        long now = clock(loopNow);
        if (segments.readableBytes() < Datagram.KCP_OVERHEAD || !Datagram.segmentsValid(segments, kcp.getConv(), mss())) {
            counters.malformedInputs.increment();
            return false;
        }
        boolean data = Datagram.carriesData(segments);
        int start = segments.readerIndex();
        KcpMetric metric = kcp.getMetric();
        long una = metric.sndUna();
        // The engine keeps slices of the data it takes in until it is read: of a buffer this
        // datagram shares with others from one read, a slice would keep them all. Data that is
        // next in order is read out at once (and its slices let go); any other is copied first.
        boolean shared = data && inReadBuffer && endpoint.readsShareBuffers();
        boolean readNow = shared && !paused && dispatcher.hasRoom() && Datagram.pushesFollowOn(segments, (int) metric.rcvNxt());
        ByteBuf input = shared && !readNow
                ? endpoint.alloc().directBuffer(segments.readableBytes()).writeBytes(segments) : segments;
        int accepted;
        try {
            accepted = kcp.input(input);
        } finally {
            if (input != segments) {
                input.release();
            }
        }
        if (readNow) {
            readAtOnce();
        }
        if (accepted < 0) {
            counters.malformedInputs.increment();
            return false;
        }
        control.heard();
        boolean acks = takeRoundTrips(segments, start, now);
        if (acks || metric.sndUna() != una) {
            steer();
            inFlight.acknowledgedBelow((int) metric.sndUna());
        }
        if (!data) {
            acknowledged = true;
        } else if (unacknowledged++ == 0) {
            firstUnacknowledgedAt = now;
        }
        return true;
    }

    /**
     * Takes what the engine has in order out of it and reads it, so that it holds no slice of the
     * read's buffer: whatever the plugins have no room for yet is copied, and waits here. How
     * the read ended is left to the next service (a paused or broken stream is found there again).
     */
    private void readAtOnce() {
        takeReceived();
        read();
        for (int i = unread; i < received.size(); i++) {
            ByteBuf piece = received.get(i);
            received.set(i, piece.copy());
            piece.release();
        }
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
     * the window or called for a fast resend, or ACKs that have waited long enough; ACKs of data
     * alone wait for one of those (or for the timer planned at their deadline).
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
        if (due || moved || acknowledged || unacknowledged >= ACK_EVERY_DATAGRAMS
                || (unacknowledged > 0 && now - firstUnacknowledgedAt >= ACK_DELAY_MILLIS)) {
            flush(now);
        }
        planUpdate(now);
    }

    private void flush(long now) {
        KcpMetric metric = kcp.getMetric();
        int timeouts = metric.xmit();
        long resentBefore = resent;
        kcp.update((int) now);
        timeouts = metric.xmit() - timeouts;
        control.flushed(now, metric.sndNxt(), metric.sndUna(), resent - resentBefore, timeouts, metric.rto());
        inFlight.acknowledgedBelow((int) metric.sndUna());
        if (timeouts > 0) {
            steer();
        }
        unacknowledged = 0;
        acknowledged = false;
    }

    /**
     * New frames wait in the peer's queue: they go into the engine and out at once, as far as
     * its windows let them, whether data is in flight or not. This runs once per wake of the
     * loop, not per message. (A busy engine used to take them in only on its next ACK or timer,
     * since a KCP flush walks the whole send buffer; but then the end of every burst waited for
     * the receiver's delayed ACK: 64 B one-way 1.14-1.21 M msg/s that way, 1.87-2.13 M this way,
     * with less CPU per message; 1 KiB the same. docs/BENCHMARKS.md.)
     */
    void send(long loopNow) {
        long now = clock(loopNow);
        if (pump()) {
            flush(now);
        }
        planUpdate(now);
    }

    /** Puts a control frame (Frames#control) into the stream, ahead of what the peer's queue holds yet, and flushes. */
    void sendControl(byte[] frame, long loopNow) {
        long now = clock(loopNow);
        ByteBuf bytes = io.netty.buffer.Unpooled.wrappedBuffer(frame);
        try {
            kcp.send(bytes); // the engine keeps what it needs of it, as pump's frames
            inFlight.pushed(frame.length, false);
        } finally {
            bytes.release();
        }
        flush(now);
        planUpdate(now);
    }

    /**
     * Gives the engine its first round-trip sample before any data: the handshake's, as TCP may
     * take the SYN's (RFC 6298, section 2). Without one KCP's first retransmission timeout is
     * 200 ms whatever the path, and on a longer one the whole first window went out twice
     * (SessionCoreTest, 400 ms round trip: 64-68 of ~75 segments). The sample goes in the engine's
     * own way: an acknowledgement echoing a send time {@code rttMillis} ago, for no segment it
     * holds (the next sequence number), with KCP's default window, so only its estimator moves
     * (first sample R: timeout 3R, as RFC 6298's).
     */
    void seedRoundTrip(int rttMillis, long loopNow) {
        long now = clock(loopNow);
        kcp.update((int) now); // the engine's own time, which the echo is read against (nothing is queued yet)
        KcpMetric metric = kcp.getMetric();
        ByteBuf ack = Datagram.kcpAck(endpoint.alloc(), kcp.getConv(), Kcp.IKCP_WND_RCV, (int) now - rttMillis,
                (int) metric.sndNxt(), (int) metric.sndUna());
        try {
            kcp.input(ack);
        } finally {
            ack.release();
        }
    }

    /** Still waiting for the plugins. */
    boolean paused() {
        return paused;
    }

    /**
     * Delivers whole frames to the plugins while they have room, reading the engine's received
     * data piece by piece: each piece is copied once, into its frame (Frames.Reader), and let go
     * of as soon as it is read, so the stream holds at most one partial frame.
     */
    private Read read() {
        while (true) {
            if (!dispatcher.hasRoom()) {
                return Read.NO_ROOM;
            }
            if (unread == received.size() && !takeReceived()) {
                return Read.DONE;
            }
            ByteBuf piece = received.get(unread);
            Frames.Result result = reader.next(piece);
            if (!piece.isReadable()) {
                received.set(unread++, null).release();
            }
            switch (result) {
                case FRAME -> deliver();
                case CONTROL -> controls.control(reader.controlKind(), reader.body());
                case BAD_CHECKSUM -> counters.checksumFailures.increment();
                case BAD_TYPE -> counters.malformedInputs.increment();
                case BAD_STREAM -> {
                    if (!broken) { // (read again by the service after a read at once)
                        broken = true;
                        counters.malformedInputs.increment();
                    }
                    return Read.BAD_STREAM;
                }
                case NEED_MORE -> { }
            }
        }
    }

    /**
     * Moves what the engine has received in order into {@link #received}, behind what is still
     * unread there; true if anything is unread now.
     */
    private boolean takeReceived() {
        if (unread == received.size()) {
            received.clear();
            unread = 0;
        }
        if (kcp.canRecv()) {
            kcp.recv(received);
        }
        return unread < received.size();
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
                int chunk = MAX_SEGMENTS_PER_SEND * mss();
                while (frame.isReadable()) {
                    kcp.send(frame.readSlice(Math.min(chunk, frame.readableBytes())));
                }
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
        kcp.setSndWnd(control.window());
        kcp.setRxMinrto(control.minRto());
    }

    /**
     * Schedules the next KCP update only while the engine has work: idle sessions cost no timer.
     * Not before a resend back-off ends, except to send ACKs that are due.
     */
    private void planUpdate(long now) {
        if (!kcp.checkFlush() && kcp.waitSnd() == 0) {
            return;
        }
        long due = now + Math.max(1, kcp.check((int) now) - (int) now);
        due = Math.max(due, control.holdUntil());
        if (unacknowledged > 0) {
            due = Math.max(now + 1, Math.min(due, firstUnacknowledgedAt + ACK_DELAY_MILLIS));
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

    /** KCP's output: one datagram of segments. */
    @Override
    public void out(ByteBuf segments, Kcp engine) {
        countResent(segments);
        wire.data(segments);
    }

    /**
     * Counts the PUSH segments of an outgoing datagram that were sent before: KCP's own count
     * ({@code xmit}) has only those resent on a timeout, not the fast resends; and notes where in
     * the stream each new one ends ({@link InFlight}). Sequence numbers are compared as 32-bit
     * serial numbers, as they wrap on the wire.
     */
    private void countResent(ByteBuf segments) {
        for (int index = segments.readerIndex(); Datagram.hasSegment(segments, index);
                index = Datagram.nextSegment(segments, index)) {
            if (Datagram.isPush(segments, index)) {
                int sn = Datagram.sequenceNumber(segments, index);
                if (sn - nextSn < 0) {
                    resent++;
                } else {
                    nextSn = sn + 1;
                    inFlight.firstSent(sn, Datagram.segmentLength(segments, index));
                }
            }
        }
    }

    /** The sender's own smoothed round trip (SendControl) once it has one, else the engine's. */
    int smoothedRttMillis() {
        int own = control.smoothedRttMillis();
        return own >= 0 ? own : kcp.getMetric().srtt();
    }

    long retransmissions() {
        return resent;
    }

    /**
     * Messages handed to the engine that the peer has not acknowledged: lost if the session ends
     * now (the receiving side delivers in order as it reads, so the acknowledged ones arrived).
     */
    int unacknowledgedMessages() {
        inFlight.acknowledgedBelow((int) kcp.getMetric().sndUna());
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
        for (; unread < received.size(); unread++) {
            received.get(unread).release();
        }
        received.clear();
    }
}
