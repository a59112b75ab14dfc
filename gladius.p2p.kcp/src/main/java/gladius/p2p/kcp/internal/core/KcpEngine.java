package gladius.p2p.kcp.internal.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;

/**
 * KCP's ARQ in stream mode (the protocol of skywind3000/kcp, on the wire the same as ikcp.c's
 * and kcp-netty's) over arrays: no object per segment and no buffer per segment. It replaces
 * kcp-netty's engine, whose linked lists of pooled segment objects, each holding a slice or a
 * buffer of its own, were a third of an event loop's time at 1 KiB (docs/BENCHMARKS.md; the
 * microbenchmark {@code KcpEngines} runs both side by side).
 *
 * <p>What it keeps, and where:
 * <ul>
 *   <li><b>Sending</b>: the stream's bytes not yet acknowledged in a {@link ByteQueue}
 *       ({@link #unsent}), and for each segment, in arrays indexed by its sequence number
 *       modulo their length, where its bytes start, how many, and its timers. Segments
 *       {@code [sndUna, sndNxt)} are in flight (some of them acknowledged out of order),
 *       {@code [sndNxt, sndEnd)} wait for the window. In stream mode new bytes first fill the
 *       last waiting segment, as KCP's do.</li>
 *   <li><b>Receiving</b>: data in order, not yet read, in another ({@link #ready}), which the
 *       reader reads from where it lies; segments that came early in a slot each until
 *       the gap before them is filled. The receive window, in segments as KCP advertises it,
 *       is {@code receiveWindow} less the segments' worth of bytes not yet read, so a reader
 *       that stops holds at most {@code receiveWindow} segments in order and as many early.</li>
 * </ul>
 *
 * <p>The rules are KCP's, as kcp-netty 1.5.2 runs them with the transport's settings: selective
 * and cumulative ACKs, fast resend after {@code fastResend} later ACKs (at most
 * {@value #FAST_RESEND_LIMIT} times a segment), a timeout backing off by half the RTO in
 * nodelay mode (a full RTO otherwise), the window probe, and the optional congestion window.
 * Two things differ, both where this engine knows more: a round trip is measured against the
 * time the ACK was taken in, not the time of the last update; and message mode (fragments) is
 * not offered, so a segment's {@code frg} is not read. The dead-link state is left to the
 * session, which has its own dead-peer timeout.
 *
 * <p>Every sequence number and time is a 32-bit serial number, compared by difference as on
 * the wire. Event loop only.
 */
final class KcpEngine {

    /** A segment's header: conv u32, cmd u8, frg u8, wnd u16, ts u32, sn u32, una u32, len u32, little-endian. */
    static final int OVERHEAD = 24;
    static final int CMD_PUSH = 81;
    static final int CMD_ACK = 82;
    static final int CMD_WASK = 83;
    static final int CMD_WINS = 84;
    /** The receive window before (and the least after) {@link #windows}, in segments. */
    static final int DEFAULT_RECEIVE_WINDOW = 128;

    private static final int DEFAULT_SEND_WINDOW = 32;
    private static final int RTO_NODELAY_MIN = 30;
    private static final int RTO_MIN = 100;
    private static final int RTO_DEFAULT = 200;
    private static final int RTO_MAX = 60_000;
    private static final int DEFAULT_INTERVAL = 100;
    private static final int ASK_SEND = 1;
    private static final int ASK_TELL = 2;
    private static final int SSTHRESH_INIT = 2;
    private static final int SSTHRESH_MIN = 2;
    private static final int PROBE_INIT = 7_000;
    private static final int PROBE_LIMIT = 120_000;
    private static final int FAST_RESEND_LIMIT = 5;
    private static final int FIRST_SLOTS = 16;

    /** Where the engine's datagrams go: each a buffer of at most the MTU, owned by the callee. */
    interface Output {
        void datagram(ByteBuf segments);
    }

    private final int conv;
    private final int mtu;
    private final int mss;
    private final Output output;
    private final ByteBufAllocator datagrams;

    private boolean nodelay;
    private int interval = DEFAULT_INTERVAL;
    private int fastResend;
    private boolean noCongestionWindow;
    private int sendWindow = DEFAULT_SEND_WINDOW;
    private int receiveWindow = DEFAULT_RECEIVE_WINDOW;
    private int minRto = RTO_MIN;

    private int remoteWindow = DEFAULT_RECEIVE_WINDOW;
    private int cwnd;
    private int ssthresh = SSTHRESH_INIT;
    private int incr;
    private int probe;
    private int probeAt;
    private int probeWait;

    private boolean updated;
    private int current;
    private int flushAt = DEFAULT_INTERVAL;
    private int srtt;
    private int latestRtt;
    private int rttvar;
    private int rto = RTO_DEFAULT;
    private int timeouts;
    private int resends;
    /** Whether this flush may hold back a last partial segment, and whether the last flush did. */
    private boolean holdPartialTail;
    private boolean heldTail;

    // Sending: segments by sequence number modulo slots.
    private int sndUna;
    private int sndNxt;
    private int sndEnd;
    /** Segments in [sndUna, sndNxt) not yet acknowledged. */
    private int unacknowledged;
    private int slotMask = FIRST_SLOTS - 1;
    private long[] segStart = new long[FIRST_SLOTS];
    private int[] segLength = new int[FIRST_SLOTS];
    private int[] segResendAt = new int[FIRST_SLOTS];
    private int[] segSentAt = new int[FIRST_SLOTS];
    private int[] segRto = new int[FIRST_SLOTS];
    private int[] segFastAcks = new int[FIRST_SLOTS];
    private int[] segXmit = new int[FIRST_SLOTS];
    private boolean[] segAcked = new boolean[FIRST_SLOTS];
    /** The bytes of the segments not yet acknowledged, from the first's on; each segment's start is its stream offset there. */
    private final ByteQueue unsent;

    // Receiving.
    private int rcvNxt;
    private int[] acks = new int[16];
    private int ackCount;
    /** Data in order not yet read. */
    private final ByteQueue ready;
    /** The window was shut when data was last queued: tell the peer when reading opens it. */
    private boolean tellWhenRead;
    /** Segments that came before their turn, by sequence number modulo their length; made at the first. */
    private byte[][] early;
    private int earlyCount;

    /**
     * An engine for conversation {@code conv} whose datagrams are at most {@code mtu} bytes,
     * written into buffers from {@code datagrams} ({@code ioBuffer(mtu)}); the bytes it keeps
     * are in chunks from {@code chunks}.
     */
    KcpEngine(int conv, int mtu, Output output, ByteBufAllocator datagrams, ByteBufAllocator chunks) {
        if (mtu < OVERHEAD + 1) {
            throw new IllegalArgumentException("mtu " + mtu + " leaves no room for data after KCP's " + OVERHEAD + "-byte header");
        }
        this.conv = conv;
        this.mtu = mtu;
        this.mss = mtu - OVERHEAD;
        this.output = output;
        this.datagrams = datagrams;
        this.unsent = new ByteQueue(chunks);
        this.ready = new ByteQueue(chunks);
    }

    /**
     * KCP's {@code nodelay}: a 30 ms RTO floor (100 ms without) and a gentler timeout back-off;
     * the update interval, clamped to 10..5,000 ms; fast resend after that many later ACKs (0:
     * never); and whether the congestion window is left out.
     */
    void nodelay(boolean nodelay, int interval, int fastResend, boolean noCongestionWindow) {
        this.nodelay = nodelay;
        this.minRto = nodelay ? RTO_NODELAY_MIN : RTO_MIN;
        this.interval = Math.min(5_000, Math.max(10, interval));
        this.fastResend = Math.max(0, fastResend);
        this.noCongestionWindow = noCongestionWindow;
    }

    /** The send window and the receive window, in segments; the receive window is at least {@value #DEFAULT_RECEIVE_WINDOW}. */
    void windows(int send, int receive) {
        sendWindow(send);
        receiveWindow = Math.max(receive, DEFAULT_RECEIVE_WINDOW);
    }

    void sendWindow(int segments) {
        if (segments > 0) {
            sendWindow = segments;
        }
    }

    /** The floor of the retransmission timeout, in milliseconds. */
    void minRto(int millis) {
        minRto = millis;
    }

    int conv() {
        return conv;
    }

    /** The largest segment payload. */
    int mss() {
        return mss;
    }

    int sndUna() {
        return sndUna;
    }

    int sndNxt() {
        return sndNxt;
    }

    /** The smoothed round trip, 0 before the first sample. */
    int srtt() {
        return srtt;
    }

    int rto() {
        return rto;
    }

    /** Segments sent again because their timer ran out, since the engine was made. */
    int timeouts() {
        return timeouts;
    }

    /** Segments sent again, on a timeout or a fast resend, since the engine was made. */
    int resends() {
        return resends;
    }

    /**
     * How much of the stream (bytes from its start) the peer has acknowledged: every segment
     * before {@link #sndUna()}, whose bytes the engine has let go of.
     */
    long acknowledgedBytes() {
        return unsent.head();
    }

    /** Segments not acknowledged: in flight or waiting for the window. */
    int waitSnd() {
        return unacknowledged + (sndEnd - sndNxt);
    }

    /** Whether the last flush held back a partial last segment that the window would have let go. */
    boolean holdsTail() {
        return heldTail && sndEnd != sndNxt;
    }

    /** Something for a flush to send or watch: ACKs, a window probe, or unacknowledged data. */
    boolean hasWork() {
        return ackCount > 0 || probe != 0 || sndEnd != sndUna;
    }

    // ---- sending ----

    /** Appends the readable bytes of {@code bytes} to the stream (copied; the reader index moves past them). */
    void send(ByteBuf bytes) {
        int length = bytes.readableBytes();
        if (length == 0) {
            return;
        }
        long at = unsent.tail(); // where the last segment ends: every byte kept is in one
        unsent.append(bytes, bytes.readerIndex(), length);
        bytes.skipBytes(length);
        if (sndEnd != sndNxt) { // fill the last segment still waiting
            int last = (sndEnd - 1) & slotMask;
            int add = Math.min(mss - segLength[last], length);
            segLength[last] += add;
            length -= add;
            at += add;
        }
        while (length > 0) {
            if (sndEnd - sndUna == segStart.length) {
                growSlots();
            }
            int slot = sndEnd & slotMask;
            int size = Math.min(mss, length);
            segStart[slot] = at;
            segLength[slot] = size;
            segAcked[slot] = false;
            sndEnd++;
            at += size;
            length -= size;
        }
    }

    private void growSlots() {
        int length = segStart.length * 2;
        int mask = length - 1;
        long[] start = new long[length];
        int[] size = new int[length];
        int[] resendAt = new int[length];
        int[] sentAt = new int[length];
        int[] segmentRto = new int[length];
        int[] fastAcks = new int[length];
        int[] xmit = new int[length];
        boolean[] acked = new boolean[length];
        for (int sn = sndUna; sn != sndEnd; sn++) {
            int from = sn & slotMask;
            int to = sn & mask;
            start[to] = segStart[from];
            size[to] = segLength[from];
            resendAt[to] = segResendAt[from];
            sentAt[to] = segSentAt[from];
            segmentRto[to] = segRto[from];
            fastAcks[to] = segFastAcks[from];
            xmit[to] = segXmit[from];
            acked[to] = segAcked[from];
        }
        segStart = start;
        segLength = size;
        segResendAt = resendAt;
        segSentAt = sentAt;
        segRto = segmentRto;
        segFastAcks = fastAcks;
        segXmit = xmit;
        segAcked = acked;
        slotMask = mask;
    }

    // ---- receiving ----

    /**
     * Takes in one datagram's segments (its readable bytes; the buffer is not changed and no
     * part of it is kept) at {@code now}; 0, or below 0 if they are not KCP segments of this
     * conversation: -1 a wrong conversation or a datagram shorter than a header, -2 a length
     * past the end, -3 an unknown command. Segments before the bad one were taken.
     */
    int input(ByteBuf data, int now) {
        int index = data.readerIndex();
        int end = data.writerIndex();
        if (end - index < OVERHEAD) {
            return -1;
        }
        ready.readDone(); // what was read since the last call no longer counts against the window
        int priorUna = sndUna;
        boolean acked = false;
        int maxAck = 0;
        while (end - index >= OVERHEAD) {
            if (data.getIntLE(index) != conv) {
                return -1;
            }
            int cmd = data.getUnsignedByte(index + 4);
            int wnd = data.getUnsignedShortLE(index + 6);
            int ts = data.getIntLE(index + 8);
            int sn = data.getIntLE(index + 12);
            int una = data.getIntLE(index + 16);
            int length = data.getIntLE(index + 20);
            index += OVERHEAD;
            if (length < 0 || end - index < length) {
                return -2;
            }
            if (cmd < CMD_PUSH || cmd > CMD_WINS) {
                return -3;
            }
            remoteWindow = wnd;
            acknowledgeBelow(una);
            switch (cmd) {
                case CMD_ACK -> {
                    int rtt = now - ts;
                    if (rtt >= 0) {
                        sample(rtt);
                        latestRtt = rtt;
                    }
                    acknowledge(sn);
                    if (!acked || sn - maxAck > 0) {
                        acked = true;
                        maxAck = sn;
                    }
                }
                case CMD_PUSH -> {
                    if (sn - (rcvNxt + receiveWindow) < 0) {
                        queueAck(sn, ts);
                        if (sn - rcvNxt >= 0) {
                            take(sn, data, index, length);
                        }
                    }
                }
                case CMD_WASK -> probe |= ASK_TELL;
                default -> { } // WINS: its window, taken above
            }
            index += length;
        }
        if (acked) {
            lateAcks(maxAck, now);
        }
        if (sndUna - priorUna > 0 && !noCongestionWindow) {
            grow();
        }
        return 0;
    }

    /** The congestion window after acknowledgements moved {@link #sndUna}: KCP's slow start, then about a segment a round. */
    private void grow() {
        if (cwnd >= remoteWindow) {
            return;
        }
        if (cwnd < ssthresh) {
            cwnd++;
            incr += mss;
        } else {
            if (incr < mss) {
                incr = mss;
            }
            incr += (mss * mss) / incr + mss / 16;
            if ((cwnd + 1) * mss <= incr) {
                cwnd++;
            }
        }
        if (cwnd > remoteWindow) {
            cwnd = remoteWindow;
            incr = remoteWindow * mss;
        }
    }

    /** A round trip of {@code rtt} ms, into the estimator (RFC 6298's, with KCP's interval floor on the variance term). */
    void sample(int rtt) {
        if (srtt == 0) {
            srtt = rtt;
            rttvar = rtt / 2;
        } else {
            int delta = Math.abs(rtt - srtt);
            rttvar = (3 * rttvar + delta) / 4;
            srtt = Math.max(1, (7 * srtt + rtt) / 8);
        }
        rto = Math.min(RTO_MAX, Math.max(minRto, srtt + Math.max(interval, 4 * rttvar)));
    }

    private void acknowledge(int sn) {
        if (sn - sndUna < 0 || sn - sndNxt >= 0) {
            return;
        }
        int slot = sn & slotMask;
        if (!segAcked[slot]) {
            segAcked[slot] = true;
            unacknowledged--;
        }
        advanceUna();
    }

    private void acknowledgeBelow(int una) {
        if (una - sndNxt > 0) {
            una = sndNxt;
        }
        if (una - sndUna <= 0) {
            return;
        }
        for (int sn = sndUna; sn != una; sn++) {
            int slot = sn & slotMask;
            if (!segAcked[slot]) {
                segAcked[slot] = true;
                unacknowledged--;
            }
        }
        advanceUna();
    }

    /** Moves {@link #sndUna} past acknowledged segments and lets their bytes go. */
    private void advanceUna() {
        int before = sndUna;
        while (sndUna != sndNxt && segAcked[sndUna & slotMask]) {
            sndUna++;
        }
        if (sndUna == before) {
            return;
        }
        unsent.discardTo(sndUna == sndEnd ? unsent.tail() : segStart[sndUna & slotMask]);
    }

    /**
     * Every segment in flight below {@code maxAck} missed one more ACK of a later one: after
     * {@code fastResend} of those it is taken for lost (KCP's rule), and so is one sent longer
     * ago than the loss delay (RFC 9002's time threshold, section 6.1.2), which a sender of
     * sparse messages needs: with a message every few milliseconds, two later ACKs took two
     * more messages, and a lost one waited for them or for its timeout. Either is sent again by
     * the next flush. The time rule rides on fast resend: {@code fastResend} 0 turns both off.
     */
    private void lateAcks(int maxAck, int now) {
        if (maxAck - sndUna < 0 || maxAck - sndNxt >= 0) {
            return;
        }
        int lossDelay = Math.max(1, (9 * Math.max(srtt, latestRtt) + 7) / 8);
        for (int sn = sndUna; sn != maxAck; sn++) {
            int slot = sn & slotMask;
            if (!segAcked[slot]) {
                segFastAcks[slot]++;
                if (fastResend > 0 && now - segSentAt[slot] >= lossDelay) {
                    segFastAcks[slot] = Math.max(segFastAcks[slot], fastResend);
                }
            }
        }
    }

    /** Whether segments came before their turn and wait for one missing: a gap the peer should hear of at once. */
    boolean hasGap() {
        return earlyCount > 0;
    }

    private void queueAck(int sn, int ts) {
        if (2 * ackCount + 2 > acks.length) {
            acks = Arrays.copyOf(acks, acks.length * 2);
        }
        acks[2 * ackCount] = sn;
        acks[2 * ackCount + 1] = ts;
        ackCount++;
    }

    /** A PUSH within the window, at or after {@link #rcvNxt}: queued for reading if next and there is room, else held. */
    private void take(int sn, ByteBuf data, int index, int length) {
        if (earlyCount > 0 && early[sn & (early.length - 1)] != null) {
            return; // a copy of one held
        }
        if (sn == rcvNxt && windowUnused() > 0) {
            queue(data, index, length);
            rcvNxt++;
            moveEarly();
            return;
        }
        if (early == null) {
            int slots = Integer.highestOneBit(receiveWindow - 1) << 1;
            early = new byte[slots][];
        }
        int slot = sn & (early.length - 1);
        byte[] bytes = new byte[length];
        data.getBytes(index, bytes);
        early[slot] = bytes;
        earlyCount++;
    }

    /** Queues the held segments that are now next in order, while the window has room. */
    private void moveEarly() {
        while (earlyCount > 0 && windowUnused() > 0) {
            int slot = rcvNxt & (early.length - 1);
            byte[] bytes = early[slot];
            if (bytes == null) {
                return;
            }
            ready.append(bytes);
            queued();
            early[slot] = null;
            earlyCount--;
            rcvNxt++;
        }
    }

    private void queue(ByteBuf data, int index, int length) {
        ready.append(data, index, length);
        queued();
    }

    private void queued() {
        if (windowUnused() == 0) {
            tellWhenRead = true;
        }
    }

    /** The receive window left, in segments: {@code receiveWindow} less the segments' worth of bytes unread. */
    private int windowUnused() {
        int queued = (int) ((ready.size() + mss - 1) / mss);
        return Math.max(0, receiveWindow - queued);
    }

    /** Bytes received in order and not yet read. */
    long unread() {
        ready.readDone();
        return ready.size();
    }

    /**
     * The data received in order and not yet read, or null if there is none: read from it (its
     * reader index), then call again. Reading can open the window, which moves held segments in
     * and, if the window had been shut, tells the peer at the next flush.
     */
    ByteBuf received() {
        ready.readDone();
        if (earlyCount > 0) {
            moveEarly();
        }
        if (tellWhenRead && windowUnused() > 0) {
            tellWhenRead = false;
            probe |= ASK_TELL;
        }
        return ready.peek();
    }

    // ---- flushing ----

    /** KCP's update: the engine's time is {@code now}, the interval timer moves on, and everything due is flushed. */
    void update(int now) {
        update(now, false);
    }

    /**
     * As {@link #update(int)}; with {@code holdPartialTail}, a last segment not yet full stays
     * back while earlier data is in flight (and the window is not what holds it), to be filled
     * by what is sent next: whoever asks for this flushes again soon without it (on the next
     * acknowledgement, or within a millisecond), see {@link #holdsTail()}. TCP corks the same
     * way (Nagle's rule, Linux's autocorking) so that a sender that keeps up in small writes
     * does not send a small datagram for each.
     */
    void update(int now, boolean holdPartialTail) {
        this.holdPartialTail = holdPartialTail;
        current = now;
        if (!updated) {
            updated = true;
            flushAt = now;
        }
        int slap = now - flushAt;
        if (slap >= 10_000 || slap < -10_000) {
            flushAt = now;
            slap = 0;
        }
        if (slap >= 0) {
            flushAt += interval;
            if (now - flushAt >= 0) {
                flushAt = now + interval;
            }
        } else {
            flushAt = now + interval;
        }
        flush();
    }

    /** When the next {@link #update} is due at the latest (no later than an interval from {@code now}). */
    int check(int now) {
        if (!updated) {
            return now;
        }
        int due = flushAt;
        int slap = now - due;
        if (slap >= 10_000 || slap < -10_000) {
            return now;
        }
        if (slap >= 0) {
            return now;
        }
        int least = Math.min(interval, due - now);
        for (int sn = sndUna; sn != sndNxt; sn++) {
            int slot = sn & slotMask;
            if (!segAcked[slot]) {
                int wait = segResendAt[slot] - now;
                if (wait <= 0) {
                    return now;
                }
                least = Math.min(least, wait);
            }
        }
        return now + least;
    }

    private void flush() {
        int now = current;
        int window = windowUnused();
        ByteBuf out = null;
        for (int i = 0; i < ackCount; i++) {
            out = room(out, OVERHEAD);
            header(out, CMD_ACK, window, acks[2 * i + 1], acks[2 * i], 0);
        }
        ackCount = 0;
        probeWindow(now);
        if ((probe & ASK_SEND) != 0) {
            out = room(out, OVERHEAD);
            header(out, CMD_WASK, window, 0, 0, 0);
        }
        if ((probe & ASK_TELL) != 0) {
            out = room(out, OVERHEAD);
            header(out, CMD_WINS, window, 0, 0, 0);
        }
        probe = 0;

        int allowed = Math.min(sendWindow, remoteWindow);
        if (!noCongestionWindow) {
            allowed = Math.min(cwnd, allowed);
        }
        heldTail = false;
        while (sndNxt != sndEnd && sndNxt - (sndUna + allowed) < 0) {
            int slot = sndNxt & slotMask;
            if (holdPartialTail && sndNxt + 1 == sndEnd && segLength[slot] < mss && unacknowledged > 0) {
                heldTail = true;
                break;
            }
            segXmit[slot] = 0;
            segFastAcks[slot] = 0;
            sndNxt++;
            unacknowledged++;
        }

        int resendAfter = fastResend > 0 ? fastResend : Integer.MAX_VALUE;
        int rtoSlack = nodelay ? 0 : rto >> 3;
        int fastResent = 0;
        boolean lost = false;
        for (int sn = sndUna; sn != sndNxt; sn++) {
            int slot = sn & slotMask;
            if (segAcked[slot]) {
                continue;
            }
            if (segXmit[slot] == 0) {
                segXmit[slot] = 1;
                segRto[slot] = rto;
                segResendAt[slot] = now + rto + rtoSlack;
            } else if (now - segResendAt[slot] >= 0) {
                segXmit[slot]++;
                timeouts++;
                resends++;
                segFastAcks[slot] = 0;
                segRto[slot] += nodelay ? rto / 2 : rto;
                segResendAt[slot] = now + segRto[slot];
                lost = true;
            } else if (segFastAcks[slot] >= resendAfter && segXmit[slot] <= FAST_RESEND_LIMIT) {
                segXmit[slot]++;
                resends++;
                segFastAcks[slot] = 0;
                segResendAt[slot] = now + segRto[slot];
                fastResent++;
            } else {
                continue;
            }
            segSentAt[slot] = now;
            int length = segLength[slot];
            out = room(out, OVERHEAD + length);
            header(out, CMD_PUSH, window, now, sn, length);
            unsent.copy(segStart[slot], length, out);
        }
        if (out != null) {
            if (out.isReadable()) {
                output.datagram(out);
            } else {
                out.release();
            }
        }

        if (fastResent > 0) {
            ssthresh = Math.max(SSTHRESH_MIN, (sndNxt - sndUna) / 2);
            cwnd = ssthresh + resendAfter;
            incr = cwnd * mss;
        }
        if (lost) {
            ssthresh = Math.max(SSTHRESH_MIN, allowed / 2);
            cwnd = 1;
            incr = mss;
        }
        if (cwnd < 1) {
            cwnd = 1;
            incr = mss;
        }
    }

    /** While the peer's window is shut, asks for it now and then, each time half as often again (KCP's probe). */
    private void probeWindow(int now) {
        if (remoteWindow != 0) {
            probeAt = 0;
            probeWait = 0;
        } else if (probeWait == 0) {
            probeWait = PROBE_INIT;
            probeAt = now + probeWait;
        } else if (now - probeAt >= 0) {
            probeWait = Math.min(PROBE_LIMIT, Math.max(PROBE_INIT, probeWait) * 3 / 2);
            probeAt = now + probeWait;
            probe |= ASK_SEND;
        }
    }

    /** The datagram being filled if {@code need} more bytes fit in it, else a new one (the full one sent). */
    private ByteBuf room(ByteBuf out, int need) {
        if (out == null) {
            return datagrams.ioBuffer(mtu);
        }
        if (out.readableBytes() + need > mtu) {
            output.datagram(out);
            return datagrams.ioBuffer(mtu);
        }
        return out;
    }

    private void header(ByteBuf out, int cmd, int window, int ts, int sn, int length) {
        out.writeIntLE(conv);
        out.writeByte(cmd);
        out.writeByte(0);
        out.writeShortLE(window);
        out.writeIntLE(ts);
        out.writeIntLE(sn);
        out.writeIntLE(rcvNxt);
        out.writeIntLE(length);
    }

    /** Lets every buffer go; the engine is not used again. */
    void release() {
        unsent.clear();
        ready.clear();
        early = null;
        earlyCount = 0;
        sndUna = sndNxt = sndEnd;
        unacknowledged = 0;
        ackCount = 0;
    }
}
