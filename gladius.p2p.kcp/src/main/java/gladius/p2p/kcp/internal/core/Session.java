package gladius.p2p.kcp.internal.core;

import gladius.p2p.NodeKey;
import gladius.p2p.kcp.internal.dispatch.PluginDispatcher;
import gladius.p2p.kcp.internal.observe.Addresses;
import gladius.p2p.kcp.internal.observe.Counters;
import gladius.p2p.kcp.internal.observe.FlightEvents;
import gladius.p2p.kcp.internal.secure.SecureChannel;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * One session with one peer, from the first HELLO to the last CLOSE: its two tags (one chosen by
 * each side, docs/PROTOCOL.md, so a datagram from an older session or an earlier incarnation of
 * the peer never reaches this one), the plain or Noise XX handshake, and once established its
 * {@link Wire} (plain or sealed) and {@link Stream} (the KCP engine). Its {@link Phase} holds what
 * exists only in one part of its life (the handshake while opening; the wire, the stream and the
 * timers of a live session once established) and changes in one place, {@link #become}. Owns all
 * of that and its {@link Link} (direct, or through a relay); the {@link SessionLayer} hands it the
 * datagrams that name it, saying by which path each came, and its timer ticks. It writes on its
 * link, delivers through its stream to the {@link PluginDispatcher}, and tells its {@link Owner}
 * only that it closed or is waiting for the plugins. Event loop only.
 */
final class Session {

    /**
     * Where a session is, with the data that exists only there. Every change of phase goes through
     * {@link #become}, which allows only these: Connecting to Connecting (a dial), to Handshaking or
     * to Established; Handshaking to Established; any phase but Closed to Closed.
     */
    private abstract static sealed class Phase permits Opening, Established, Closed {
        @Override
        public String toString() {
            return getClass().getSimpleName();
        }
    }

    /**
     * Before the session is established: its handshake (secure mode; null in plain mode), the time
     * it began (kcp.connect-timeout), and when this side sent the handshake datagram the peer's next
     * step answers (-1 if none) and whether it went more than once: the stream's first round-trip
     * sample ({@link #firstRoundTrip}).
     */
    private abstract static sealed class Opening extends Phase permits Connecting, Handshaking {
        final Handshake handshake;
        final long startedAt;
        long sentAt;
        boolean resent;

        Opening(Handshake handshake, long startedAt, long sentAt) {
            this.handshake = handshake;
            this.startedAt = startedAt;
            this.sentAt = sentAt;
        }
    }

    /**
     * We dialed (HELLOs resent until answered), or a HELLO just opened the session and the layer
     * is about to answer it (nothing to resend: {@code nextHelloAt} is never).
     */
    private static final class Connecting extends Opening {
        long nextHelloAt;
        long helloInterval;

        Connecting(Handshake handshake, long startedAt, long sentAt, long nextHelloAt, long helloInterval) {
            super(handshake, startedAt, sentAt);
            this.nextHelloAt = nextHelloAt;
            this.helloInterval = helloInterval;
        }
    }

    /**
     * Both tags known, the peer's proof awaited: a secure responder waiting for the third message
     * (its handshake), or a plain session that would replace a live one, waiting for a datagram
     * that shows the peer got its WELCOME (no handshake).
     */
    private static final class Handshaking extends Opening {
        Handshaking(Handshake handshake, long startedAt, long sentAt) {
            super(handshake, startedAt, sentAt);
        }
    }

    /** Established: its datagrams (plain or sealed), its stream, and the timers of a live session. */
    private static final class Established extends Phase {
        final Wire wire;
        final Stream stream;
        /** When this session next sends a PING whatever its traffic (the peer's address report). */
        long nextReportAt;
        /** Retransmissions at the last tick, to see a burst (FlightEvents). */
        long retransmissionsAtTick;

        Established(Wire wire, Stream stream, long now) {
            this.wire = wire;
            this.stream = stream;
            this.nextReportAt = now + FIRST_REPORT_MILLIS;
        }
    }

    /** Closed, for good; what the peer's totals still need of it. */
    private static final class Closed extends Phase {
        final long retransmissions;

        Closed(long retransmissions) {
            this.retransmissions = retransmissions;
        }
    }

    /** What a session may tell the layer above it. */
    interface Owner {
        /** The session has closed; {@code replacing}: a new session of the same peer takes over its queue. */
        void closed(Session session, boolean replacing);

        /** The plugins have no room: read this session again when they do. */
        void waitForRoom(Session session);

        /** The peer reported the address it sees this node at. */
        void observed(Session session, InetSocketAddress seenAs);

        /** The session has just been established (a pending one then replaces the current one). */
        void established(Session session);

        /** This node's record as it is now, for a new secure session to send; null in plain mode. */
        NodeRecords.Signed localRecord();

        /**
         * A RELAY, RELAYED, RESERVE or RESERVED came over this established session (its tags, or
         * its seal, checked); the payload's reader index is past the header or inner kind.
         */
        void carried(Session carrier, int kind, ByteBuf payload, long now);
    }

    private static final System.Logger LOG = System.getLogger(Session.class.getName());
    private static final long FIRST_HELLO_RETRY_MILLIS = 100;
    private static final long LAST_HELLO_RETRY_MILLIS = 1_000;
    /** The most a first round-trip sample is taken to be when the handshake went more than once. */
    private static final long UNSURE_ROUND_TRIP_MILLIS = 333;
    /**
     * A PING reports the address we see the peer at (NetworkState.observedAddresses): the first a
     * second after the session opens (once both sides surely have it: not before its WELCOME could
     * be lost and resent), then at least this often, keepalive or not.
     */
    private static final long FIRST_REPORT_MILLIS = 1_000;
    private static final long REPORT_MILLIS = 30_000;

    private final SessionContext context;
    private final KcpSettings settings;
    private final Counters counters;
    private final Driver endpoint;
    private final Peer peer;
    private final Link link;
    private final int localTag;
    /** Whose IP address this session counts against in kcp.max-sessions-per-ip: the relay's, for one a relay opened. */
    private final java.net.InetAddress chargedTo;
    /** This node dialed it, so the address is its own choice (and a relayed session may punch it). */
    private boolean dialed;

    private Phase phase;
    private boolean inbound;
    /** The peer's tag: 0 until known (from Handshaking on). */
    private int remoteTag;
    private long lastReceivedAt;
    private final long createdAt;
    /** In the layer's list of sessions to service at the end of a read batch. */
    private boolean touched;
    /** The peer's PINGs say it relays (kcp.relay): a candidate for relayed dials. */
    private boolean peerRelays;
    /** The peer's static key, once the handshake proved it. */
    private byte[] remoteStatic;
    /** The sealed session's cipher (kcp.cipher's name for it); null while plain or not yet established. */
    private String cipher;
    /** The peer's latest record, sent over this (secure) session and signed by that key. */
    private NodeRecords.Signed peerRecord;

    Session(SessionContext context, Peer peer, Link link, int localTag, boolean inbound, long now) {
        this.context = context;
        this.settings = context.settings();
        this.counters = context.counters();
        this.endpoint = context.endpoint();
        this.peer = peer;
        this.link = link;
        this.localTag = localTag;
        this.inbound = inbound;
        this.chargedTo = inbound ? link.openedBy() : peer.remote.getAddress();
        this.lastReceivedAt = now;
        this.createdAt = now;
        this.phase = new Connecting(null, now, -1, Long.MAX_VALUE, 0);
    }

    /** The one place the phase changes; a change not drawn on {@link Phase} is a bug, and fails loudly. */
    private void become(Phase next) {
        Phase from = phase;
        boolean allowed = from instanceof Connecting
                || (from instanceof Handshaking && (next instanceof Established || next instanceof Closed))
                || (from instanceof Established && next instanceof Closed);
        if (!allowed) {
            throw new IllegalStateException("session with " + peer + ": no way from " + from + " to " + next);
        }
        phase = next;
    }

    // ---------------------------------------------------------------- what others read

    Peer peer() {
        return peer;
    }

    boolean established() {
        return phase instanceof Established;
    }

    boolean inbound() {
        return inbound;
    }

    int localTag() {
        return localTag;
    }

    int remoteTag() {
        return remoteTag;
    }

    java.net.InetAddress chargedTo() {
        return chargedTo;
    }

    Link link() {
        return link;
    }

    /** The peer has said it relays for others. */
    boolean peerRelays() {
        return peerRelays;
    }

    /** The peer's static key, proved by a finished secure handshake; null otherwise. */
    byte[] remoteStatic() {
        return remoteStatic;
    }

    /** The cipher sealing this session, by its kcp.cipher name; null if plain or not established. */
    String cipher() {
        return cipher;
    }

    int smoothedRttMillis() {
        return phase instanceof Established e ? e.stream.smoothedRttMillis() : 0;
    }

    long retransmissions() {
        if (phase instanceof Established e) {
            return e.stream.retransmissions();
        }
        return phase instanceof Closed c ? c.retransmissions : 0;
    }

    /** True if the caller is the one to put this session in its list of sessions to service. */
    boolean touch() {
        if (touched) {
            return false;
        }
        touched = true;
        return true;
    }

    /** Still waiting for the plugins (a session may wait in the layer's list more than once). */
    boolean paused() {
        return phase instanceof Established e && e.stream.paused();
    }

    // ---------------------------------------------------------------- opening

    /** We dial: the first HELLO (with the first Noise message if secure); resent by {@link #tick}. */
    void dial(long now) {
        dialed = true;
        Handshake handshake = settings.secure() ? Handshake.initiate(settings, context.random()) : null;
        Connecting dialing = new Connecting(handshake, now, now, now + FIRST_HELLO_RETRY_MILLIS, FIRST_HELLO_RETRY_MILLIS);
        become(dialing);
        sendHello(dialing);
    }

    private void sendHello(Connecting dialing) {
        if (dialing.handshake != null) {
            writeHandshake(Datagram.HELLO_SECURE, 0, dialing.handshake.lastMessage());
        } else {
            link.writeControl(Datagram.HELLO, localTag, 0, 0);
        }
    }

    private void writeHandshake(int kind, int receiverTag, byte[] message) {
        link.write(Datagram.handshake(endpoint.alloc(), kind, localTag, receiverTag, message));
    }

    /** Both tags are known: start the stream. A plain session starts here; a secure one via {@link #establishSecure}. */
    private void establish(int remoteTag, long now) {
        establish(remoteTag, now, Wire.plain(endpoint, link, settings.relay(), localTag, remoteTag, createdAt));
    }

    /** The handshake is done: seal with its keys; {@code confirm} is an initiator's third message (else null). */
    private void establishSecure(Handshake handshake, int remoteTag, byte[] confirm, long now) {
        SecureChannel channel = handshake.channel(now);
        remoteStatic = handshake.peerKey();
        cipher = handshake.suite().setting();
        FlightEvents.handshake(endpoint.localAddress(), peer.address, confirm != null, remoteStatic);
        Wire sealed = Wire.sealed(endpoint, link, settings.relay(), localTag, remoteTag, channel, confirm, now, createdAt);
        sealed.resendConfirm(); // an initiator's third message, before anything sealed that needs it
        establish(remoteTag, now, sealed);
    }

    private void establish(int remoteTag, long now, Wire established) {
        int firstRoundTrip = firstRoundTrip(now);
        this.remoteTag = remoteTag;
        this.lastReceivedAt = now;
        Stream stream = new Stream(localTag ^ remoteTag, peer, context, established,
                () -> context.owner().waitForRoom(this),
                () -> close(Datagram.CLOSE_BAD_STREAM, "the stream could not be parsed"), this::control);
        become(new Established(established, stream, now));
        link.established(now);
        if (firstRoundTrip > 0) {
            stream.seedRoundTrip(firstRoundTrip);
        }
        peer.connected();
        FlightEvents.opened(endpoint.localAddress(), peer.address, inbound, established.secure(),
                link.relay() == null ? null : link.relay().address, now - createdAt);
        context.owner().established(this);
        if (established.secure() && established()) {
            NodeRecords.Signed own = context.owner().localRecord();
            if (own != null) {
                sendRecord(own, now);
            }
        }
    }

    /**
     * The handshake's round trip, the stream's first sample; 0 if there is none. Sent once, it is
     * exact. Sent again, the answer may be to the first (Karn's ambiguity): the time since the
     * first is an upper bound, taken up to {@value #UNSURE_ROUND_TRIP_MILLIS} ms, so that the
     * first timeout it gives (three times the sample) is at most RFC 6298's initial 1 s.
     */
    private int firstRoundTrip(long now) {
        if (!(phase instanceof Opening opening) || opening.sentAt < 0) {
            return 0;
        }
        long since = now - opening.sentAt;
        return (int) (opening.resent ? Math.min(since, UNSURE_ROUND_TRIP_MILLIS) : since);
    }

    // ---------------------------------------------------------------- node records (secure sessions)

    /** Sends this node's record to the peer, inside the stream (so it arrives, once, in order). */
    void sendRecord(NodeRecords.Signed record, long now) {
        if (phase instanceof Established e && e.wire.secure()) {
            e.stream.sendControl(Frames.control(Frames.CONTROL_RECORD, record.encoded()), now);
        }
    }

    /** A control frame from the peer's stream: its record, checked against the key its handshake proved. */
    private void control(int kind, java.nio.ByteBuffer body) {
        if (kind != Frames.CONTROL_RECORD) {
            return; // a kind this version does not know: a newer peer's, ignored
        }
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        Optional<NodeRecords.Signed> record = remoteStatic == null ? Optional.empty() : NodeRecords.read(bytes)
                .filter(r -> java.util.Arrays.equals(r.key().bytes(), remoteStatic));
        if (record.isEmpty()) {
            counters.malformedInputs.increment(); // not a record, not signed by the key the handshake proved
        } else if (peerRecord == null || record.get().sequence() > peerRecord.sequence()) {
            peerRecord = record.get();
        }
    }

    /** The peer's latest record, sent over this session; null if none yet (or a plain session). */
    NodeRecords.Signed peerRecord() {
        return peerRecord;
    }

    // ---------------------------------------------------------------- plain datagrams

    /** Whether a HELLO with this tag is a new incarnation of a peer this session is established with. */
    boolean replacedBy(int helloTag) {
        return established() && remoteTag != helloTag;
    }

    /**
     * A plain HELLO that would replace a live session: welcomed, but this session is established
     * only when a datagram of the peer's shows it got the WELCOME (it carries this session's tag,
     * which nobody who merely put the peer's address on a datagram can know).
     */
    void respondPlain(int helloTag, long now) {
        remoteTag = helloTag;
        become(new Handshaking(null, now, -1));
        link.writeControl(Datagram.WELCOME, localTag, helloTag, 0);
    }

    /** A plain HELLO: welcome it (again, if ours was lost). True if the session wants servicing. */
    boolean onHello(int helloTag, long now) {
        if ((established() || phase instanceof Handshaking) && remoteTag == helloTag) {
            link.writeControl(Datagram.WELCOME, localTag, helloTag, 0); // our welcome was lost
            if (established()) {
                seen(now);
            }
            return false;
        }
        // A HELLO while we are dialing too is a simultaneous open: both sides adopt both tags. (Plain: no proof
        // to wait for; the path is one this dial chose, the relayed datagram's acceptance saw to that.)
        if (phase instanceof Connecting connecting) {
            followProved();
            connecting.sentAt = -1; // their HELLO answers nothing of ours: no round trip to take from it
            establish(helloTag, now);
        }
        link.writeControl(Datagram.WELCOME, localTag, helloTag, 0);
        seen(now);
        return true;
    }

    boolean onWelcome(Datagram.Header header, long now) {
        if (phase instanceof Connecting && header.receiver() == localTag) {
            followProved();
            establish(header.sender(), now);
            seen(now);
            return true;
        }
        if (matches(header)) {
            seen(now); // a repeated welcome
        }
        return false;
    }

    /** Plain DATA: into the engine if it names this session (a RESET back if not). True if the session wants servicing. */
    boolean onData(Datagram.Header header, ByteBuf payload, long now) {
        if (provenBy(header)) {
            followProved();
            establish(header.sender(), now); // the peer's welcome was lost, its data was not; or a replacement proved
        }
        if (!(phase instanceof Established e) || !matches(header)) {
            context.reset(link, header);
            return false;
        }
        seen(now);
        return e.stream.input(payload, now);
    }

    void onPing(Datagram.Header header, ByteBuf payload, long now) {
        if (phase instanceof Handshaking && provenBy(header)) {
            followProved();
            establish(header.sender(), now);
        }
        if (matches(header)) {
            seen(now);
            if (payload.isReadable()) {
                byte[] report = new byte[payload.readableBytes()];
                payload.readBytes(report);
                report(report, 0, report.length);
            }
        } else {
            context.reset(link, header);
        }
    }

    void onClose(Datagram.Header header) {
        if (matches(header)) {
            close(-1, "the peer closed it");
        }
    }

    /** A RESET names the session it refuses by both tags, so a late one cannot end a newer session. */
    void onReset(Datagram.Header header, long now) {
        if (link.relayedButArrivingDirectly()) {
            // The answer to a direct PING the peer could not place (its NAT showed it from another
            // port): the direct path does not work, the relayed session does.
            return;
        }
        if (established() && header.receiver() == localTag && header.sender() == remoteTag) {
            close(-1, "the peer has no such session");
            peer.redialNow(now); // the peer is alive: redial at once if it is ours
        }
    }

    private boolean matches(Datagram.Header header) {
        return established() && header.sender() == remoteTag && header.receiver() == localTag;
    }

    /**
     * A plain datagram that establishes this session: to a dialer, the peer's first data when its
     * WELCOME was lost; to a responder replacing a live session, the peer's first datagram after
     * our WELCOME (its tags prove the peer has it).
     */
    private boolean provenBy(Datagram.Header header) {
        return header.receiver() == localTag && phase instanceof Opening opening && opening.handshake == null
                && (opening instanceof Connecting || header.sender() == remoteTag);
    }

    /** A datagram of this session, its tags right (and sealed ones authenticated), arrived. */
    private void seen(long now) {
        lastReceivedAt = now;
        peer.seen(endpoint.wallMillis(now));
        if (established()) {
            Peer left = link.provenDirect();
            if (left != null) {
                LOG.log(System.Logger.Level.INFO, "session with {0} went direct (it was relayed by {1})", peer, left);
            }
        }
    }

    /** A handshake step checked out (its tags, or its Noise message): answer the way it came. */
    private void followProved() {
        link.followArrival();
    }

    // ---------------------------------------------------------------- secure handshake (Noise XX)

    /**
     * A secure HELLO for this session's address. True if this session dealt with it: our second
     * message was lost (sent again), both sides dialed (the larger tag stays initiator), or we lost
     * that tie and answer as the responder. False if it comes from a new incarnation of the peer:
     * the layer then replaces this session with one that {@link #respond}s.
     */
    boolean onHelloSecure(int helloTag, byte[] message, long now) {
        if (remoteTag == helloTag && (phase instanceof Handshaking || established())) {
            if (phase instanceof Handshaking responding && responding.handshake != null) {
                // Our second message was lost: send it again, unchanged.
                writeHandshake(Datagram.WELCOME_SECURE, helloTag, responding.handshake.lastMessage());
                responding.resent = true;
            }
            return true;
        }
        if (!(phase instanceof Connecting)) {
            return false;
        }
        if (Integer.compareUnsigned(localTag, helloTag) > 0) {
            return true; // both dialed: the larger tag stays initiator, and the peer will answer our HELLO
        }
        inbound = true; // we dialed too, and lost the tie: answer as the responder, the way the HELLO came
        followProved();
        respond(helloTag, message, now);
        return true;
    }

    /** The responder's step: read the first message, answer with the second. */
    void respond(int helloTag, byte[] message, long now) {
        Optional<Handshake> responder = Handshake.answer(settings, context.random(), message);
        if (responder.isEmpty()) {
            counters.unauthenticatedDatagrams.increment();
            close(-1, "its first handshake message was unusable");
            return;
        }
        remoteTag = helloTag;
        become(new Handshaking(responder.get(), now, now));
        writeHandshake(Datagram.WELCOME_SECURE, helloTag, responder.get().lastMessage());
    }

    /** The initiator's step: read the second message, check the key, send the third, start. True if established now. */
    boolean onWelcomeSecure(Datagram.Header header, byte[] message, long now) {
        if (header.receiver() != localTag) {
            counters.unauthenticatedDatagrams.increment();
            return false;
        }
        if (phase instanceof Established e && remoteTag == header.sender() && e.wire.resendConfirm()) {
            return false; // our third message was lost
        }
        if (!(phase instanceof Connecting dialing) || dialing.handshake == null) {
            return false;
        }
        Handshake handshake = dialing.handshake;
        if (!handshake.read(message)) {
            counters.unauthenticatedDatagrams.increment();
            return false; // a forgery cannot end a dial, nor move it: the real answer may still come
        }
        followProved();
        if (refusedKey(handshake, header, now)) {
            return false;
        }
        if (!handshake.writeNext()) {
            close(-1, "the handshake failed");
            return false;
        }
        establishSecure(handshake, header.sender(), handshake.lastMessage(), now);
        seen(now);
        return true;
    }

    /** The responder's last step: the third message proves the initiator's key. True if established now. */
    boolean onConfirm(Datagram.Header header, byte[] message, long now) {
        if (header.receiver() != localTag || header.sender() != remoteTag
                || !(phase instanceof Handshaking responding) || responding.handshake == null) {
            if (!established()) {
                counters.unauthenticatedDatagrams.increment();
            }
            return false;
        }
        Handshake handshake = responding.handshake;
        if (!handshake.read(message)) {
            counters.unauthenticatedDatagrams.increment();
            close(-1, "its third handshake message did not authenticate");
            return false;
        }
        followProved();
        if (refusedKey(handshake, header, now)) {
            return false;
        }
        establishSecure(handshake, remoteTag, null, now);
        seen(now);
        return true;
    }

    /** A SEALED datagram: opened, then DATA into the engine, a PING, or a CLOSE. True if the session wants servicing. */
    boolean onSealed(Datagram.Header header, ByteBuf payload, long now) {
        if (!(phase instanceof Established e) || !e.wire.secure() || !matches(header)) {
            counters.unauthenticatedDatagrams.increment();
            return false;
        }
        Optional<ByteBuf> opened = e.wire.open(payload);
        if (opened.isEmpty()) {
            counters.unauthenticatedDatagrams.increment(); // forged, damaged, or a replay
            return false;
        }
        ByteBuf inner = opened.get();
        int kind = inner.readUnsignedByte();
        seen(now);
        switch (kind) {
            case Datagram.DATA -> {
                return e.stream.input(inner, now);
            }
            case Datagram.PING -> {
                if (inner.isReadable()) {
                    report(inner.array(), inner.arrayOffset() + inner.readerIndex(), inner.readableBytes());
                }
            }
            case Datagram.CLOSE -> close(-1, "the peer closed it");
            case Datagram.RELAY, Datagram.RELAYED, Datagram.RESERVE, Datagram.RESERVED ->
                    context.owner().carried(this, kind, inner, now);
            default -> counters.malformedInputs.increment();
        }
        return false;
    }

    /** A PING's report (where the peer sees us, whether it relays): kept, or counted as malformed if it is not one. */
    private void report(byte[] bytes, int offset, int length) {
        Optional<Datagram.Report> report = Datagram.report(bytes, offset, length);
        if (report.isPresent()) {
            peerRelays = report.get().relays();
            context.owner().observed(this, report.get().seenAs());
        } else {
            counters.malformedInputs.increment();
        }
    }

    /** The peer refused the handshake: a refusal only ends one still going on (for an initiator: until confirmed). */
    void onRefuse(Datagram.Header header, int reason, long now) {
        boolean handshaking = !(phase instanceof Established e) || !e.wire.confirmed();
        if (header.receiver() != localTag || !handshaking) {
            counters.unauthenticatedDatagrams.increment();
            return;
        }
        counters.sessionsRefused.increment();
        String why = Datagram.refusal(reason);
        FlightEvents.refused(endpoint.localAddress(), peer.remote, why, false);
        LOG.log(peer.firstRefusal() ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG, "session with {0} refused: {1}",
                peer, why);
        close(-1, why);
        peer.dialFailed(now, true, link.relayed());
    }

    /**
     * Refuses and closes the handshake if the key the peer proved is not the one pinned for its
     * address ({@code add(Contact)}), or kcp.allow-keys is set and lacks it; true if so. A dial
     * refused for its key backs off as after any refusal.
     */
    private boolean refusedKey(Handshake handshake, Datagram.Header header, long now) {
        NodeKey pinned = peer.pinnedKey();
        byte[] proved = handshake.peerKey();
        if (pinned != null && !java.util.Arrays.equals(pinned.bytes(), proved)) {
            String why = "it proved the static key " + NodeKey.of(proved) + ", not the one pinned for " + peer + " (" + pinned + ")";
            context.refuse(link, header, Datagram.REFUSE_KEY_NOT_PINNED, why, peer.firstMismatch());
            close(-1, "its static key is not the one pinned for its address");
            if (dialed) {
                peer.dialFailed(now, true, link.relayed());
            }
            return true;
        }
        Optional<String> hex = handshake.keyNotAllowed();
        if (hex.isEmpty()) {
            return false;
        }
        context.refuse(link, header, Datagram.REFUSE_KEY_NOT_ALLOWED,
                "its static key " + hex.get() + " is not in kcp.allow-keys", true);
        close(-1, "its static key is not allowed");
        return true;
    }

    // ---------------------------------------------------------------- carrying for relays

    /** Sends a RELAY or RELAYED around one whole datagram on this established session; takes ownership of it. */
    void carry(int kind, byte[] address, ByteBuf datagram) {
        if (phase instanceof Established e) {
            e.wire.relay(kind, address, datagram);
        } else {
            datagram.release();
        }
    }

    /** Asks the peer, a relay, for a reservation. */
    void reserve() {
        if (phase instanceof Established e) {
            e.wire.reserve();
        }
    }

    /** Answers the peer's RESERVE. */
    void reserved(int status, int seconds) {
        if (phase instanceof Established e) {
            e.wire.reserved(status, seconds);
        }
    }

    /**
     * Whether this relayed session may try the direct path: only to an address that more than a
     * relay's word stands for. One this node dialed is its own choice. In plain mode a session
     * opened through a relay this node reserved with takes that relay's word (nothing in a plain
     * network is authenticated, and only a relay this node chose can open one); in secure mode the
     * peer must have claimed the address itself, in the record it sent over the session.
     */
    private boolean mayPunch() {
        return dialed || !settings.secure()
                || (peerRecord != null && peerRecord.addresses().contains(Addresses.nodeAddress(link.remote)));
    }

    // ---------------------------------------------------------------- time

    /** The housekeeping tick: handshake resends and timeouts, dead-peer detection, keepalive. */
    void tick(long now) {
        if (phase instanceof Connecting dialing) {
            if (now - dialing.startedAt > settings.connectTimeout().toMillis()) {
                close(-1, "no answer within kcp.connect-timeout");
                peer.dialFailed(now, false, link.relayed());
            } else if (now >= dialing.nextHelloAt) {
                dialing.helloInterval = Math.min(2 * dialing.helloInterval, LAST_HELLO_RETRY_MILLIS);
                dialing.nextHelloAt = now + dialing.helloInterval;
                dialing.resent = true;
                sendHello(dialing);
            }
        } else if (phase instanceof Handshaking responding) {
            if (now - responding.startedAt > settings.connectTimeout().toMillis()) {
                close(-1, "the handshake did not finish within kcp.connect-timeout");
            }
        } else if (phase instanceof Established e) {
            tickEstablished(e, now);
        }
    }

    private void tickEstablished(Established e, long now) {
        if (now - lastReceivedAt > settings.deadPeerTimeout().toMillis()) {
            close(Datagram.CLOSE_SHUTDOWN, "nothing heard within kcp.dead-peer-timeout");
            return;
        }
        if (now - e.wire.lastSentAt() >= settings.keepalive().toMillis() || now >= e.nextReportAt) {
            // Every PING tells the peer where we see it; a busy session, which needs no
            // keepalive, still sends one now and then for that report.
            e.wire.ping(now);
            e.nextReportAt = now + REPORT_MILLIS;
        }
        long resent = e.stream.retransmissions();
        if (resent - e.retransmissionsAtTick >= FlightEvents.BURST_SEGMENTS) {
            FlightEvents.burst(endpoint.localAddress(), peer.address, resent - e.retransmissionsAtTick, e.stream.smoothedRttMillis());
        }
        e.retransmissionsAtTick = resent;
        if (link.punchDue(now) && mayPunch()) {
            e.wire.punch();
            link.punched(now);
        }
    }

    // ---------------------------------------------------------------- the stream

    /** After input or room in the plugins: the stream reads, sends and plans its next update. */
    void service(long now) {
        touched = false;
        if (phase instanceof Established e) {
            e.stream.service(now);
        }
    }

    /** New frames wait in the peer's queue. */
    void send(long now) {
        if (phase instanceof Established e) {
            e.stream.send(now);
        }
    }

    // ---------------------------------------------------------------- closing

    /** Ends the session; with a reason of 0 or more the peer is told (Datagram.CLOSE_*). */
    void close(int noticeReason, String why) {
        close(noticeReason, why, false);
    }

    /** As above; with replacing true the peer keeps its queue for the session that replaces this one. */
    void close(int noticeReason, String why, boolean replacing) {
        if (phase instanceof Closed) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "session with " + peer + " closed: " + why);
        long retransmissions = retransmissions();
        FlightEvents.closed(endpoint.localAddress(), peer.address, why, established(), endpoint.now() - createdAt, retransmissions);
        if (phase instanceof Established e) {
            if (noticeReason >= 0) {
                e.wire.close(noticeReason);
            }
            // What the peer had not acknowledged is lost with the session: counted, never silent.
            counters.messagesDropped.add(e.stream.unacknowledgedMessages());
            e.stream.release();
        }
        become(new Closed(retransmissions));
        context.owner().closed(this, replacing);
    }
}
