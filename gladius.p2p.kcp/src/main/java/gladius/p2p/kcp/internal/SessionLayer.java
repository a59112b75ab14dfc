package gladius.p2p.kcp.internal;

import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.MessagePassingQueue;

/**
 * The event-loop side of one network: reads its {@link UdpEndpoint}, hands each datagram to the
 * {@link Session} its address and tags name (opening one for a HELLO that {@link Admission}
 * lets in; a datagram a relay forwarded counts as coming from the address the relay names, by
 * way of that relay), services the sessions a read batch touched, and runs the timers: handshake
 * resends, keepalive, dead peers, redials and reads the plugins held back. Chooses whether a dial
 * goes direct or through relays. Owns the {@link SessionTable} and this node's own {@link Relay};
 * reads and changes the {@link PeerTable} it is given only through its peers' own methods.
 * Everything here runs on the endpoint's one event loop, so none of it locks; other threads reach
 * it only through {@link #markDirty}, {@link #wake}, {@link #deleted}, {@link #roomAgain},
 * {@link #snapshot} and {@link #shutdown}.
 */
final class SessionLayer extends ChannelInboundHandlerAdapter implements Session.Owner {

    private static final System.Logger LOG = System.getLogger(SessionLayer.class.getName());
    /** A relayed dial asks at most this many relays at once. */
    private static final int RELAYS_PER_DIAL = 4;

    private final KcpSettings settings;
    private final Counters counters;
    private final PluginDispatcher dispatcher;
    private final PeerTable peers;
    private final SessionTable sessions = new SessionTable();
    private final SecureRandom random = new SecureRandom();
    private final ArrayDeque<Session> touched = new ArrayDeque<>();
    private final ArrayDeque<Session> paused = new ArrayDeque<>();
    private final MessagePassingQueue<Peer> dirty = Queues.unbounded(256);
    /** The address each live session's peer last reported seeing this node at (PING). */
    private final Map<Session, NodeAddress> observedBy = new HashMap<>();
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    // Set once by bind, before the socket starts reading.
    private UdpEndpoint endpoint;
    private SessionContext context;
    private Admission admission;
    private Relay relay;
    private NodeAddress localAddress;
    private ScheduledFuture<?> housekeeping;
    /** Counters at the last tick, for the flight-recorder events of what grew since. */
    private long droppedAtTick;
    private long relayDropsAtTick;
    private long relayedBytesAtTick;
    private boolean closing;

    private SessionLayer(KcpSettings settings, Counters counters, PluginDispatcher dispatcher, PeerTable peers) {
        this.settings = settings;
        this.counters = counters;
        this.dispatcher = dispatcher;
        this.peers = peers;
    }

    /** Binds a socket on one loop of the group and starts serving it; blocks until bound. */
    static SessionLayer bind(InetSocketAddress address, SocketIo io, EventLoopGroup group, KcpSettings settings,
                             Counters counters, PluginDispatcher dispatcher, PeerTable peers) {
        SessionLayer layer = new SessionLayer(settings, counters, dispatcher, peers);
        layer.endpoint = UdpEndpoint.bind(io, group, address, settings.mtu(), layer, counters);
        layer.context = new SessionContext(settings, counters, layer.endpoint, dispatcher, layer.random, layer);
        layer.relay = new Relay(settings, counters, layer.endpoint, layer.sessions);
        layer.admission = new Admission(settings, counters, layer.sessions, layer.endpoint);
        InetSocketAddress local = layer.endpoint.localAddress();
        layer.localAddress = Peer.nodeAddress(local);
        long tick = Math.max(10, Math.min(250, settings.keepalive().toMillis() / 4));
        layer.housekeeping = layer.endpoint.scheduleAtFixedRate(layer::housekeep, tick);
        layer.endpoint.startReading();
        return layer;
    }

    InetSocketAddress localSocket() {
        return endpoint.localAddress();
    }

    /** The bound address, as {@link gladius.p2p.Network#localAddress()} gives it. */
    NodeAddress localAddress() {
        return localAddress;
    }

    // ---------------------------------------------------------------- any thread

    /**
     * Marks a peer as having frames to send or a dial to make; true if it was idle, and then the
     * caller must {@link #wake()} the loop (if it was pending already, whoever marked it does).
     */
    boolean markDirty(Peer peer) {
        if (peer.scheduleFlush()) {
            dirty.offer(peer);
            return true;
        }
        return false;
    }

    /** Has the event loop service the dirty peers; one task however many callers wake it. */
    void wake() {
        if (wakeScheduled.compareAndSet(false, true)) {
            endpoint.execute(this::drainDirty);
        }
    }

    /** A peer was deleted from the route table: close its session with notice, drop what waits. */
    void deleted(Peer peer) {
        endpoint.execute(() -> onDeleted(peer));
    }

    /** The plugins made room: read on where the paused sessions stopped. */
    void roomAgain() {
        endpoint.execute(this::resumePaused);
    }

    /** The network's state, read on the event loop. */
    Snapshots.Network snapshot() {
        return endpoint.call(this::takeSnapshot);
    }

    /** Closes every session with notice, then the socket; blocks until the socket is closed. */
    void shutdown() {
        endpoint.call(() -> {
            closing = true;
            housekeeping.cancel(false);
            for (Session session : sessions.all()) {
                session.close(Datagram.CLOSE_SHUTDOWN, "the network is closing");
            }
            drainDirty();
            return null;
        });
        endpoint.close();
    }

    // ---------------------------------------------------------------- event loop: inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            onDatagram(packet.sender(), packet.content());
        } catch (RuntimeException e) {
            // Nothing a peer sends may throw into the event loop.
            counters.malformedInputs.increment();
            LOG.log(System.Logger.Level.DEBUG, "dropped a datagram from " + Peer.nodeAddress(packet.sender()), e);
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        long now = endpoint.now();
        Session session;
        while ((session = touched.poll()) != null) {
            session.service(now);
        }
        endpoint.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors and the like surface here on some platforms; sessions cope by timeout.
        LOG.log(System.Logger.Level.DEBUG, "socket error", cause);
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
        switch (header.kind()) {
            case Datagram.RELAY -> relay.forward(remote, header, datagram, now);
            case Datagram.RELAYED -> onRelayed(remote, header, datagram, now);
            default -> route(remote, header, datagram, now, null);
        }
    }

    /** A datagram a relay forwarded: handled as if from the address it names, answered through that relay. */
    private void onRelayed(InetSocketAddress remote, Datagram.Header header, ByteBuf payload, long now) {
        Session carrier = sessions.get(remote);
        InetSocketAddress origin = Datagram.readAddress(payload);
        Datagram.Header inner = origin == null ? null : Datagram.read(payload);
        if (!Relay.carries(carrier, header) || carrier.link().relayed() || inner == null || origin.equals(remote)
                || inner.kind() == Datagram.RELAY || inner.kind() == Datagram.RELAYED) {
            // Not from a peer we hold a direct session with, or not one whole datagram of ours inside.
            counters.malformedInputs.increment();
            return;
        }
        route(origin, inner, payload, now, carrier.peer());
    }

    /** One datagram of ours from {@code remote}, directly ({@code via} null) or through the relay {@code via}. */
    private void route(InetSocketAddress remote, Datagram.Header header, ByteBuf datagram, long now, Peer via) {
        Session session = sessions.get(remote);
        int kind = header.kind();
        if (via != null && (kind == Datagram.HELLO || kind == Datagram.HELLO_SECURE) && session != null
                && session.established() && !session.link().relayed()) {
            // A relay names the address a datagram came from; it must not be able to replace a
            // direct session with one through itself. A peer that restarted dials direct first.
            counters.sessionsRefused.increment();
            FlightEvents.refused(endpoint, remote, "a relayed handshake may not replace a direct session", true);
            return;
        }
        if (session != null) {
            session.arriving(via);
        }
        if (kind >= Datagram.HELLO_SECURE && kind <= Datagram.REFUSE) {
            onSecureKind(remote, session, header, datagram, now, via);
        } else if (settings.secure()) {
            // Plain datagrams never touch a secure node's sessions: a HELLO is refused, the rest dropped.
            if (kind == Datagram.HELLO) {
                context.refuse(link(remote, via), header, Datagram.REFUSE_SECURE_ONLY,
                        "it speaks plain and this node is kcp.secure");
            } else if (kind != Datagram.RESET) {
                counters.unauthenticatedDatagrams.increment();
            }
        } else {
            onPlainKind(remote, session, header, datagram, now, via);
        }
    }

    /** The path back to {@code remote}: direct, or through the relay a datagram came by. */
    private Link link(InetSocketAddress remote, Peer via) {
        return Link.via(endpoint, remote, via == null ? List.of() : List.of(via));
    }

    private void onPlainKind(InetSocketAddress remote, Session session, Datagram.Header header, ByteBuf payload, long now,
                             Peer via) {
        switch (header.kind()) {
            case Datagram.HELLO -> {
                if (session == null || session.replacedBy(header.sender())) {
                    // A first session from this address, or a new one: the peer restarted or dropped the old one.
                    session = inboundSession(remote, session, now, via);
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
                    context.reset(link(remote, via), header);
                } else if (session.onData(header, payload, now)) {
                    touch(session);
                }
            }
            case Datagram.PING -> {
                if (session == null) {
                    context.reset(link(remote, via), header);
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
                context.refuse(link(remote, via), header, Datagram.REFUSE_PLAIN_ONLY,
                        "it speaks secure and this node is plain (kcp.secure=false)");
            } else {
                counters.malformedInputs.increment();
            }
            return;
        }
        if (kind == Datagram.HELLO_SECURE) {
            byte[] message = ByteBufUtil.getBytes(payload);
            if (session == null || !session.onHelloSecure(header.sender(), message, now)) {
                // A first session from this address, or a new incarnation of the peer replacing the old one.
                Session opened = inboundSession(remote, session, now, via);
                if (opened != null) {
                    opened.respond(header.sender(), message, now);
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

    /**
     * The session a HELLO (plain or secure) opens: a first one from this address, or one that
     * replaces the current session; null if a limit refused it.
     */
    private Session inboundSession(InetSocketAddress remote, Session current, long now, Peer via) {
        if (!admission.admit(remote, now, current != null)) {
            return null;
        }
        if (current == null) {
            return openSession(peers.peerFor(remote), true, now, link(remote, via));
        }
        Peer peer = current.peer();
        current.close(-1, "the peer opened a new session", true);
        return openSession(peer, true, now, link(remote, via));
    }

    private void dial(Peer peer, long now) {
        if (closing || peer.session() != null) {
            return;
        }
        if (!admission.mayDial()) {
            counters.messagesDropped.add(peer.dropQueued());
            return;
        }
        List<Peer> relays = peer.relayNext() ? relaysFor(peer) : List.of();
        openSession(peer, false, now, Link.via(endpoint, peer.remote, relays)).dial(now);
    }

    /**
     * The relays a dial to {@code target} may go through: peers that said they relay, held in an
     * established direct session, at most {@link #RELAYS_PER_DIAL} of them, at random.
     */
    private List<Peer> relaysFor(Peer target) {
        List<Peer> relays = new ArrayList<>();
        for (Session session : sessions.all()) {
            if (session.peerRelays() && session.established() && !session.link().relayed() && session.peer() != target) {
                relays.add(session.peer());
            }
        }
        Collections.shuffle(relays, random);
        return relays.size() > RELAYS_PER_DIAL ? relays.subList(0, RELAYS_PER_DIAL) : relays;
    }

    /** A session closed: forget it, then redial its peer or forget the peer as well. */
    @Override
    public void closed(Session session, boolean replacing) {
        Peer peer = session.peer();
        observedBy.remove(session);
        sessions.remove(peer.remote, session);
        peer.detach(session);
        if (replacing) {
            return;
        }
        if (closing || !peer.inRouteTable()) {
            counters.messagesDropped.add(peer.dropQueued());
            peers.forgetIfUnused(peer);
        } else {
            peer.redialLater(endpoint.now());
        }
    }

    private void onDeleted(Peer peer) {
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
        endpoint.flush();
    }

    // ---------------------------------------------------------------- event loop: sending and timers

    private void drainDirty() {
        wakeScheduled.set(false);
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
        endpoint.flush();
    }

    @Override
    public void observed(Session session, InetSocketAddress seenAs) {
        observedBy.put(session, Peer.nodeAddress(seenAs));
    }

    /** This node's address as its peers report seeing it, most reported first (then by address). */
    private List<NodeAddress> observedAddresses() {
        Map<NodeAddress, Integer> counts = new HashMap<>();
        for (NodeAddress seenAs : observedBy.values()) {
            counts.merge(seenAs, 1, Integer::sum);
        }
        List<NodeAddress> ordered = new ArrayList<>(counts.keySet());
        ordered.sort(Comparator.comparing((NodeAddress a) -> -counts.get(a)).thenComparing(Comparator.naturalOrder()));
        return ordered;
    }

    @Override
    public void waitForRoom(Session session) {
        paused.add(session);
    }

    private void resumePaused() {
        long now = endpoint.now();
        int n = paused.size();
        for (int i = 0; i < n && dispatcher.hasRoom(); i++) {
            Session session = paused.poll();
            if (session != null && session.paused() && session.established()) {
                session.service(now);
            }
        }
        endpoint.flush();
    }

    /** Every tick: each session's timers, redials of route-table peers, reads the plugins held back. */
    private void housekeep() {
        try {
            long now = endpoint.now();
            for (Session session : sessions.all()) {
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
            relay.expire(now);
            flightEvents();
            endpoint.flush();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "housekeeping failed", e);
        }
    }

    /** The counters' growth since the last tick, as flight-recorder events. */
    private void flightEvents() {
        long dropped = counters.messagesDropped.sum();
        if (dropped > droppedAtTick) {
            FlightEvents.dropped(endpoint, dropped - droppedAtTick, dropped);
            droppedAtTick = dropped;
        }
        long relayDrops = counters.relayDrops.sum();
        long relayed = counters.relayedBytes.sum();
        if (relayDrops > relayDropsAtTick) {
            FlightEvents.relayDrops(endpoint, relayDrops - relayDropsAtTick, relayed - relayedBytesAtTick);
        }
        relayDropsAtTick = relayDrops;
        relayedBytesAtTick = relayed;
    }

    private Snapshots.Network takeSnapshot() {
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
                counters.sessionsRefused.sum(), counters.unauthenticatedDatagrams.sum(), endpoint.io().name().toLowerCase(Locale.ROOT),
                settings.secure() ? settings.nodeKey().publicKey() : null, observedAddresses(),
                counters.relayedDatagrams.sum(), counters.relayedBytes.sum(), counters.relayDrops.sum(), relay.circuits());
    }

    private int newTag() {
        int tag;
        do {
            tag = random.nextInt();
        } while (tag == 0);
        return tag;
    }
}
