package gladius.p2p.kcp.internal.core;

import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.PeerState;
import gladius.p2p.kcp.internal.dispatch.PluginDispatcher;
import gladius.p2p.kcp.internal.dispatch.Queues;
import gladius.p2p.kcp.internal.observe.Addresses;
import gladius.p2p.kcp.internal.observe.Counters;
import gladius.p2p.kcp.internal.observe.FlightEvents;
import gladius.p2p.kcp.internal.observe.Snapshots;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jctools.queues.MessagePassingQueue;

/**
 * The protocol of one node, with no socket, no executor and no clock of its own (the core, in
 * quinn's sense): datagrams come in through {@link #receive}, go out through its {@link Driver},
 * and time passes through {@link #timers()}, whose next deadline its driver waits for. Hands each
 * datagram to the {@link Session} its address and tags name (opening one for a HELLO that
 * {@link Admission} lets in; a datagram a relay forwarded counts as coming from the address the
 * relay names, by way of that relay), services the sessions a batch of datagrams touched
 * ({@link #readComplete}), and runs the housekeeping: handshake resends, keepalive, dead peers,
 * redials, reservations, the node's record, and reads the plugins held back. How a dial goes
 * (direct or through relays), which relayed datagrams count, and relaying for others are its
 * {@link Paths}'. Owns the {@link SessionTable} and its Paths; reads and changes the
 * {@link PeerTable} it is given only through its peers' own methods. Everything here runs on its driver's one thread (for {@code host.NettyDriver}, an event
 * loop), so none of it locks; other threads only {@link #markDirty} peers, and ask the driver for
 * the rest. After each call into it the driver flushes what it wrote and looks at the next deadline.
 */
public final class SessionLayer implements Session.Owner {

    private static final System.Logger LOG = System.getLogger(SessionLayer.class.getName());

    private final KcpSettings settings;
    private final Counters counters;
    private final PluginDispatcher dispatcher;
    private final PeerTable peers;
    private final SessionTable sessions = new SessionTable();
    private final SecureRandom random;
    private final ArrayDeque<Session> touched = new ArrayDeque<>();
    private final ArrayDeque<Session> paused = new ArrayDeque<>();
    private final MessagePassingQueue<Peer> dirty = Queues.unbounded(256);
    /** The address each live session's peer last reported seeing this node at (PING). */
    private final Map<Session, NodeAddress> observedBy = new HashMap<>();
    /** How many of those report each address: a few distinct ones, however many sessions. */
    private final Map<NodeAddress, Integer> observedCounts = new HashMap<>();
    /** Whether a reported address is this node's own (isOwnAddress, which may ask the OS): the few seen so far. */
    private final Map<NodeAddress, Boolean> ownAddresses = new HashMap<>();
    private final Driver endpoint;
    private final Timers timers = new Timers();
    private final SessionContext context;
    private final Admission admission;
    /** The ways to peers other than straight to their address, and carrying for others. */
    private final Paths paths;
    private final String io;
    /** Some peer sees this node at an address other than its own: a NAT is in between (reservations are made). */
    private boolean behindNat;
    /** This node's signed record (secure mode), read by any thread; made again when its addresses change. */
    private volatile NodeRecords.Signed record;
    /** The addresses peers report changed since the record was made. */
    private boolean recordStale;
    private long recordMadeAt;
    private final NodeAddress localAddress;
    private final long tick;
    private Timers.Timer housekeeping;
    /** Counters at the last tick, for the flight-recorder events of what grew since. */
    private long droppedAtTick;
    private boolean closing;

    /**
     * A core for one bound socket (or a simulated one), driven by {@code driver}; {@code io} names
     * the socket implementation for snapshots. Nothing runs until {@link #start}.
     */
    public SessionLayer(KcpSettings settings, Counters counters, PluginDispatcher dispatcher, PeerTable peers, Driver driver, String io) {
        this.settings = settings;
        this.counters = counters;
        this.dispatcher = dispatcher;
        this.peers = peers;
        this.endpoint = driver;
        this.random = driver.random();
        this.io = io;
        this.context = new SessionContext(settings, counters, driver, timers, dispatcher, random, this);
        this.paths = new Paths(settings, counters, driver, sessions, this::route);
        this.admission = new Admission(settings, counters, sessions, driver);
        this.localAddress = Addresses.nodeAddress(driver.localAddress());
        this.tick = Math.max(10, Math.min(250, settings.keepalive().toMillis() / 4));
    }

    /** Signs this node's first record (secure mode) and starts the housekeeping. On the driver's thread. */
    public void start() {
        if (settings.secure()) {
            record = NodeRecords.sign(settings.nodeKey(), endpoint.wallMillis(endpoint.now()), recordAddresses());
        }
        housekeeping = timers.at(endpoint.now() + tick, this::housekeepAndRepeat);
    }

    private void housekeepAndRepeat() {
        housekeep();
        if (!closing) {
            housekeeping = timers.at(endpoint.now() + tick, this::housekeepAndRepeat);
        }
    }

    /** This core's deadlines: its driver runs them when their time comes. */
    public Timers timers() {
        return timers;
    }

    /** The bound address, as {@link gladius.p2p.Network#localAddress()} gives it. */
    public NodeAddress localAddress() {
        return localAddress;
    }

    // ---------------------------------------------------------------- any thread

    /**
     * Marks a peer as having frames to send or a dial to make; true if it was idle, and then the
     * caller must have the driver run {@link #drainDirty} (if it was pending already, whoever
     * marked it does). The one method of the core that any thread may call.
     */
    public boolean markDirty(Peer peer) {
        if (peer.scheduleFlush()) {
            dirty.offer(peer);
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- the driver's thread: commands

    /** A key was pinned for this peer: a session that proved another one ends (and the peer is redialed). */
    public void onPinned(Peer peer) {
        Session session = peer.session();
        NodeKey key = peer.pinnedKey();
        if (session != null && session.remoteStatic() != null && key != null
                && !java.util.Arrays.equals(key.bytes(), session.remoteStatic())) {
            session.close(Datagram.CLOSE_DELETED, "its static key is not the one now pinned for its address");
        }
    }

    /** Closes every session with notice and drops what still waits: the network is closing. */
    public void closeAll() {
        closing = true;
        if (housekeeping != null) {
            housekeeping.cancel();
        }
        for (Session session : sessions.allWithPending()) {
            session.close(Datagram.CLOSE_SHUTDOWN, "the network is closing");
        }
        drainDirty();
    }

    // ---------------------------------------------------------------- the driver's thread: datagrams in

    /** One datagram from {@code remote}; the buffer stays the caller's. Nothing a peer sends throws out of here. */
    public void receive(InetSocketAddress remote, ByteBuf datagram) {
        try {
            onDatagram(remote, datagram);
        } catch (RuntimeException e) {
            counters.malformedInputs.increment();
            LOG.log(System.Logger.Level.DEBUG, "dropped a datagram from " + Addresses.nodeAddress(remote), e);
        }
    }

    /** The end of a batch of datagrams: each session they touched reads, sends and plans its next update. */
    public void readComplete() {
        long now = endpoint.now();
        Session session;
        while ((session = touched.poll()) != null) {
            session.service(now);
        }
    }

    private void onDatagram(InetSocketAddress remote, ByteBuf datagram) {
        counters.bytesReceived.add(datagram.readableBytes());
        Datagram.Header header = Datagram.read(datagram);
        if (header == null || closing) {
            if (header == null) {
                counters.malformedInputs.increment();
            }
            return;
        }
        long now = endpoint.now();
        int kind = header.kind();
        if (kind >= Datagram.RELAY && kind <= Datagram.RESERVED) {
            paths.onCarried(remote, header, datagram, now);
        } else {
            route(remote, header, datagram, now, null);
        }
    }

    @Override
    public void carried(Session carrier, int kind, ByteBuf payload, long now) {
        paths.carried(carrier, kind, payload, now);
    }

    /** One datagram of ours from {@code remote}, directly ({@code via} null) or through the relay {@code via}. */
    private void route(InetSocketAddress remote, Datagram.Header header, ByteBuf datagram, long now, Peer via) {
        Session session = sessions.get(remote);
        Session pending = sessions.pending(remote);
        if (pending != null && header.receiver() != 0 && header.receiver() == pending.localTag()) {
            session = pending; // the handshake that would replace the current session
        }
        int kind = header.kind();
        if (session != null) {
            session.link().arriving(via);
        }
        if (kind >= Datagram.HELLO_SECURE && kind <= Datagram.REFUSE) {
            onSecureKind(remote, session, header, datagram, now, via);
        } else if (settings.secure()) {
            // Plain datagrams never touch a secure node's sessions: a HELLO is refused, the rest dropped.
            if (kind == Datagram.HELLO) {
                context.refuse(paths.back(remote, via), header, Datagram.REFUSE_SECURE_ONLY,
                        "it speaks plain and this node is kcp.secure", true);
            } else if (kind != Datagram.RESET) {
                counters.unauthenticatedDatagrams.increment();
            }
        } else {
            onPlainKind(remote, session, header, datagram, now, via);
        }
    }

    private void onPlainKind(InetSocketAddress remote, Session session, Datagram.Header header, ByteBuf payload, long now,
                             Peer via) {
        switch (header.kind()) {
            case Datagram.HELLO -> {
                if (session != null && session.replacedBy(header.sender())) {
                    // A new session from a live one's address: the peer restarted or dropped the old one,
                    // or someone put its address on a datagram. The new one replaces the old once proved.
                    Session replacing = pendingSession(remote, header.sender(), now, via);
                    if (replacing != null) {
                        replacing.respondPlain(header.sender(), now);
                    }
                    return;
                }
                if (session == null) {
                    session = inboundSession(remote, now, via);
                }
                if (session != null && session.onHello(header.sender(), now)) {
                    touch(session);
                }
            }
            case Datagram.WELCOME -> {
                if (session != null && session.onWelcome(header, now)) {
                    touch(session);
                }
            }
            case Datagram.DATA -> {
                if (session == null) {
                    context.reset(paths.back(remote, via), header);
                } else if (session.onData(header, payload, now)) {
                    touch(session);
                }
            }
            case Datagram.PING -> {
                if (session == null) {
                    context.reset(paths.back(remote, via), header);
                } else {
                    session.onPing(header, payload, now);
                }
            }
            case Datagram.CLOSE -> {
                if (session != null) {
                    session.onClose(header);
                }
            }
            case Datagram.RESET -> {
                if (session != null) {
                    session.onReset(header, now);
                }
            }
            default -> counters.malformedInputs.increment();
        }
    }

    private void onSecureKind(InetSocketAddress remote, Session session, Datagram.Header header, ByteBuf payload, long now,
                              Peer via) {
        int kind = header.kind();
        if (kind != Datagram.REFUSE && !settings.secure()) {
            if (kind == Datagram.HELLO_SECURE) {
                context.refuse(paths.back(remote, via), header, Datagram.REFUSE_PLAIN_ONLY,
                        "it speaks secure and this node is plain (kcp.secure=false)", true);
            } else {
                counters.malformedInputs.increment();
            }
            return;
        }
        if (kind == Datagram.HELLO_SECURE) {
            byte[] message = ByteBufUtil.getBytes(payload);
            if (session == null) {
                Session opened = inboundSession(remote, now, via);
                if (opened != null) {
                    opened.respond(header.sender(), message, now);
                }
            } else if (!session.onHelloSecure(header.sender(), message, now)) {
                // A new incarnation of the peer, or someone with its address: a handshake beside the live
                // session, which it replaces only once its third message authenticates (WireGuard's rule).
                Session replacing = pendingSession(remote, header.sender(), now, via);
                if (replacing != null) {
                    replacing.respond(header.sender(), message, now);
                }
            }
            return;
        }
        if (session == null) {
            counters.unauthenticatedDatagrams.increment();
            return;
        }
        boolean service = switch (kind) {
            case Datagram.REFUSE -> {
                session.onRefuse(header, payload.readUnsignedByte(), now);
                yield false;
            }
            case Datagram.WELCOME_SECURE -> session.onWelcomeSecure(header, ByteBufUtil.getBytes(payload), now);
            case Datagram.CONFIRM -> session.onConfirm(header, ByteBufUtil.getBytes(payload), now);
            default -> session.onSealed(header, payload, now);
        };
        if (service) {
            touch(session);
        }
    }

    private void touch(Session session) {
        if (session.touch()) {
            touched.add(session);
        }
    }

    // ---------------------------------------------------------------- event loop: opening and closing

    private Session openSession(Peer peer, boolean inbound, long now, Link link) {
        Session session = new Session(context, peer, link, newTag(), inbound, now);
        peer.attach(session);
        sessions.put(peer.remote, session);
        return session;
    }

    /** The session a first HELLO (plain or secure) from this address opens; null if a limit refused it. */
    private Session inboundSession(InetSocketAddress remote, long now, Peer via) {
        if (!admission.admit(via == null ? remote : via.remote, now, false)) {
            return null;
        }
        return openSession(peers.peerFor(remote), true, now, paths.back(remote, via));
    }

    /**
     * The handshake a HELLO with a new tag starts beside the live session at its address; it
     * replaces any earlier one (the same HELLO sent again reaches the earlier one instead, see
     * route). Null if the handshake limit refused it, or if it is the earlier one's tag.
     */
    private Session pendingSession(InetSocketAddress remote, int helloTag, long now, Peer via) {
        Session earlier = sessions.pending(remote);
        if (earlier != null && earlier.remoteTag() == helloTag) {
            if (!settings.secure()) {
                earlier.onHello(helloTag, now); // our WELCOME was lost: again
            }
            return null;
        }
        if (!admission.admit(via == null ? remote : via.remote, now, true)) {
            return null;
        }
        if (earlier != null) {
            earlier.close(-1, "a newer handshake from the same address");
        }
        Session replacing = new Session(context, sessions.get(remote).peer(), paths.back(remote, via), newTag(), true, now);
        sessions.putPending(remote, replacing);
        return replacing;
    }

    /** A session was established: a pending one now replaces the current one of its address. */
    @Override
    public void established(Session session) {
        InetSocketAddress remote = session.peer().remote;
        if (!sessions.removePending(remote, session)) {
            return;
        }
        Session current = sessions.get(remote);
        if (current != null) {
            current.close(-1, "the peer opened a new session", true);
        }
        sessions.put(remote, session);
        session.peer().attach(session);
    }

    private void dial(Peer peer, long now) {
        if (closing || peer.session() != null) {
            return;
        }
        if (!admission.mayDial()) {
            counters.messagesDropped.add(peer.dropQueued());
            return;
        }
        openSession(peer, false, now, paths.forDial(peer)).dial(now);
    }

    /** A session closed: forget it, then redial its peer or forget the peer as well. */
    @Override
    public void closed(Session session, boolean replacing) {
        Peer peer = session.peer();
        if (sessions.removePending(peer.remote, session)) {
            return; // a handshake that would have replaced a live session: that one goes on
        }
        unobserve(session);
        sessions.remove(peer.remote, session);
        peer.detach(session);
        paths.forget(peer);
        if (replacing) {
            return;
        }
        Session pending = sessions.pending(peer.remote);
        if (pending != null && sessions.removePending(peer.remote, pending)) {
            // The peer really restarted (its old session got a RESET, or died): its new handshake goes on as the session.
            sessions.put(peer.remote, pending);
            peer.attach(pending);
            return;
        }
        if (closing || !peer.inRouteTable()) {
            counters.messagesDropped.add(peer.dropQueued());
            peers.forgetIfUnused(peer);
        } else {
            peer.redialLater(endpoint.now());
        }
    }

    /** A peer was deleted from the route table: close its session with notice, drop what waits. */
    public void onDeleted(Peer peer) {
        if (peer.inRouteTable()) {
            return; // added again meanwhile
        }
        Session session = peer.session();
        if (session != null) {
            session.close(Datagram.CLOSE_DELETED, "deleted from the route table");
        } else {
            counters.messagesDropped.add(peer.dropQueued());
            peers.forgetIfUnused(peer);
        }
    }

    // ---------------------------------------------------------------- event loop: sending and timers

    /** Services the peers marked dirty: sends what waits, dials who needs it. */
    public void drainDirty() {
        long now = endpoint.now();
        Peer peer;
        while ((peer = dirty.poll()) != null) {
            peer.flushTaken();
            Session session = peer.session();
            if (closing) {
                counters.messagesDropped.add(peer.dropQueued());
            } else if (session == null) {
                if (peer.hasQueued() || peer.inRouteTable()) {
                    if (peer.dialDue(now)) {
                        dial(peer, now);
                    }
                } else {
                    peers.forgetIfUnused(peer);
                }
            } else if (session.established()) {
                session.send(now);
            }
        }
    }

    @Override
    public void observed(Session session, InetSocketAddress seenAs) {
        NodeAddress seen = Addresses.nodeAddress(seenAs);
        NodeAddress before = observedBy.put(session, seen);
        if (!seen.equals(before)) {
            if (before != null) {
                uncount(before);
            }
            observedCounts.merge(seen, 1, Integer::sum);
            // Over the distinct addresses, not the sessions: a node with thousands of peers hears this from each.
            behindNat = observedCounts.keySet().stream().anyMatch(address -> !ownAddresses.computeIfAbsent(address, this::isOwnAddress));
            recordStale = true;
            if (ownAddresses.size() > 64) {
                ownAddresses.clear(); // addresses peers report are few; a flood of odd reports must not grow this
            }
        }
    }

    @Override
    public NodeRecords.Signed localRecord() {
        return record;
    }

    /** This node's record as any thread may read it; null in plain mode. */
    public NodeRecords.Signed record() {
        return record;
    }

    /**
     * What this node's record says it can be reached at: where it listens, if that is one
     * address, then where its peers see it, most reported first; four at most. A peer can report
     * what it likes, but a dial to a wrong address of a key fails its handshake, and the others
     * stay.
     */
    private List<InetSocketAddress> recordAddresses() {
        List<InetSocketAddress> addresses = new ArrayList<>();
        InetSocketAddress local = endpoint.localAddress();
        if (!local.getAddress().isAnyLocalAddress()) {
            addresses.add(local);
        }
        for (NodeAddress seen : observedAddresses()) {
            InetSocketAddress address = new InetSocketAddress(seen.host(), seen.port()); // an IP literal: no lookup
            if (addresses.size() < 4 && !addresses.contains(address)) {
                addresses.add(address);
            }
        }
        return addresses;
    }

    /**
     * Makes the record again if the addresses peers report changed and it is at least a second
     * old, and sends it to every secure session when its addresses did change.
     */
    private void refreshRecord(long now) {
        if (!recordStale || !settings.secure() || now - recordMadeAt < 1_000) {
            return;
        }
        recordStale = false;
        List<InetSocketAddress> addresses = recordAddresses();
        List<NodeAddress> named = addresses.stream().map(Addresses::nodeAddress).toList();
        if (named.equals(record.addresses())) {
            return;
        }
        recordMadeAt = now;
        record = NodeRecords.sign(settings.nodeKey(), Math.max(record.sequence() + 1, endpoint.wallMillis(now)), addresses);
        for (Session session : sessions.all()) {
            session.sendRecord(record, now);
        }
    }

    /**
     * Whether a peer that sees this node at {@code seen} sees it as it is: its own port, and its
     * own IP (any of this host's, when it listens on all of them). Otherwise a NAT stands between.
     */
    private boolean isOwnAddress(NodeAddress seen) {
        InetSocketAddress local = endpoint.localAddress();
        if (seen.port() != local.getPort()) {
            return false;
        }
        InetSocketAddress socket = new InetSocketAddress(seen.host(), seen.port());
        if (!local.getAddress().isAnyLocalAddress()) {
            return local.getAddress().equals(socket.getAddress());
        }
        try {
            return socket.getAddress().isLoopbackAddress() || java.net.NetworkInterface.getByInetAddress(socket.getAddress()) != null;
        } catch (java.net.SocketException e) {
            return false;
        }
    }

    private void unobserve(Session session) {
        NodeAddress before = observedBy.remove(session);
        if (before != null) {
            uncount(before);
        }
    }

    private void uncount(NodeAddress address) {
        observedCounts.computeIfPresent(address, (unused, count) -> count == 1 ? null : count - 1);
    }

    /** This node's address as its peers report seeing it, most reported first (then by address). */
    private List<NodeAddress> observedAddresses() {
        Map<NodeAddress, Integer> counts = observedCounts;
        List<NodeAddress> ordered = new ArrayList<>(counts.keySet());
        ordered.sort(Comparator.comparing((NodeAddress a) -> -counts.get(a)).thenComparing(Comparator.naturalOrder()));
        return ordered;
    }

    @Override
    public void waitForRoom(Session session) {
        paused.add(session);
    }

    /** The plugins made room: read on where the paused sessions stopped. */
    public void resumePaused() {
        long now = endpoint.now();
        int n = paused.size();
        for (int i = 0; i < n && dispatcher.hasRoom(); i++) {
            Session session = paused.poll();
            if (session != null && session.paused() && session.established()) {
                session.service(now);
            }
        }
    }

    /** Every tick: each session's timers, redials of route-table peers, reads the plugins held back. */
    private void housekeep() {
        try {
            long now = endpoint.now();
            for (Session session : sessions.allWithPending()) {
                session.tick(now);
            }
            for (Peer peer : peers.routeTable()) {
                if (peer.session() == null && peer.dialDue(now)) {
                    dial(peer, now);
                }
            }
            if (!paused.isEmpty() && dispatcher.hasRoom()) {
                resumePaused();
            }
            paths.housekeep(behindNat, now);
            refreshRecord(now);
            flightEvents();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "housekeeping failed", e);
        }
    }

    /** The counters' growth since the last tick, as flight-recorder events. */
    private void flightEvents() {
        long dropped = counters.messagesDropped.sum();
        if (dropped > droppedAtTick) {
            FlightEvents.dropped(endpoint.localAddress(), dropped - droppedAtTick, dropped);
            droppedAtTick = dropped;
        }
    }

    /** The network's state, now. */
    public Snapshots.Network takeSnapshot() {
        List<PeerState> states = new ArrayList<>();
        for (Peer peer : peers.all()) {
            states.add(peer.snapshot());
        }
        states.sort(Comparator.comparing(PeerState::address));
        return new Snapshots.Network(localAddress, states,
                counters.messagesSent.sum(), counters.messagesReceived.sum(),
                counters.bytesSent.sum(), counters.bytesReceived.sum(),
                counters.messagesDropped.sum(), counters.checksumFailures.sum(),
                counters.malformedInputs.sum(), dispatcher.failures(),
                counters.sessionsRefused.sum(), counters.unauthenticatedDatagrams.sum(), io,
                settings.secure() ? settings.nodeKey().staticKey().publicKey() : null, observedAddresses(),
                counters.relayedDatagrams.sum(), counters.relayedBytes.sum(), counters.relayDrops.sum(), paths.circuits());
    }

    /** One peer's part of {@link #takeSnapshot()}; null if no peer has that address. */
    public Snapshots.Peer peerSnapshot(InetSocketAddress remote) {
        Peer peer = peers.get(remote);
        return peer == null ? null : peer.snapshot();
    }

    private int newTag() {
        int tag;
        do {
            tag = random.nextInt();
        } while (tag == 0);
        return tag;
    }
}
