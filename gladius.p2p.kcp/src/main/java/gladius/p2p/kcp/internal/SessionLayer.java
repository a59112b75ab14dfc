package gladius.p2p.kcp.internal;

import gladius.p2p.kcp.internal.secure.NoiseXX;
import gladius.p2p.PeerState;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.MessagePassingQueue;

/**
 * The event-loop side of one network: its UDP socket, its sessions keyed by remote address, the
 * handshake, keepalive, dead-peer detection and redial. Everything here runs on the one event
 * loop the socket is registered with, so none of it locks; other threads reach it only through
 * {@link #wake()} and {@link #execute(Runnable)}.
 */
final class SessionLayer extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(SessionLayer.class.getName());
    private static final long FIRST_HELLO_RETRY_MILLIS = 100;
    private static final long LAST_HELLO_RETRY_MILLIS = 1_000;

    final KcpSettings settings;
    private final KcpNetwork network;
    private final Counters counters;
    private final SecureRandom random = new SecureRandom();
    private final long epochNanos = System.nanoTime();
    private final long epochWallMillis = System.currentTimeMillis();
    private final Map<InetSocketAddress, Session> sessions = new HashMap<>();
    private final Map<InetAddress, Integer> sessionsPerIp = new HashMap<>();
    private double handshakeTokens;
    private long handshakeTokensAt;
    private final ArrayDeque<Session> touched = new ArrayDeque<>();
    private final ArrayDeque<Session> paused = new ArrayDeque<>();
    private final MessagePassingQueue<Peer> dirty = Queues.unbounded(256);
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    private Channel channel;
    private EventLoop loop;
    private ScheduledFuture<?> housekeeping;
    private boolean closing;

    SessionLayer(KcpNetwork network) {
        this.network = network;
        this.settings = network.kcpSettings();
        this.counters = network.counters();
        this.handshakeTokens = settings.handshakesPerSecond();
    }

    /** Binds the socket; blocks until bound. */
    InetSocketAddress bind(InetSocketAddress address) {
        Bootstrap bootstrap = new Bootstrap()
                .group(network.resources().ioGroup)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Math.max(2048, settings.mtu() + 1)))
                .handler(this);
        try {
            channel = bootstrap.bind(address).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + address, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot bind " + address + ": " + e.getMessage(), e);
        }
        loop = channel.eventLoop();
        long tick = Math.max(10, Math.min(250, settings.keepalive().toMillis() / 4));
        housekeeping = loop.scheduleAtFixedRate(this::housekeep, tick, tick, TimeUnit.MILLISECONDS);
        return (InetSocketAddress) channel.localAddress();
    }

    // ---------------------------------------------------------------- any thread

    /** Marks a peer as having frames to send or a dial to make; call {@link #wake()} after. */
    void markDirty(Peer peer) {
        if (peer.flushScheduled.compareAndSet(false, true)) {
            dirty.offer(peer);
        }
    }

    /** Has the event loop service the dirty peers; one task however many callers wake it. */
    void wake() {
        if (wakeScheduled.compareAndSet(false, true)) {
            execute(this::drainDirty);
        }
    }

    /** Runs a task on the event loop; once the shared loop has shut down (every network closed) it is dropped. */
    void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException closed) {
            LOG.log(System.Logger.Level.DEBUG, "event loop gone; task dropped: {0}", closed.getMessage());
        }
    }

    <T> T call(Callable<T> task) {
        if (loop.inEventLoop()) {
            try {
                return task.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return loop.submit(task).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("the network's event loop did not answer: " + e, e);
        }
    }

    /** Closes every session with notice, then the socket; blocks until the socket is closed. */
    void shutdown() {
        call(() -> {
            closing = true;
            housekeeping.cancel(false);
            for (Session session : new ArrayList<>(sessions.values())) {
                closeSession(session, Datagram.CLOSE_SHUTDOWN, "the network is closing");
            }
            drainDirty();
            return null;
        });
        InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
        channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        awaitPortReleased(bound);
    }

    /**
     * NIO closes a channel that is registered with a selector only when that selector next
     * deregisters its key, after the close future has completed; so a listen on the same port
     * right after close could fail. Waits (at most two seconds) until a probe can bind the port,
     * nudging the event loop through another iteration between tries.
     */
    private void awaitPortReleased(InetSocketAddress bound) {
        if (bound == null) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (true) {
            try (DatagramSocket probe = new DatagramSocket(null)) {
                probe.bind(bound);
                return;
            } catch (SocketException stillOpen) {
                if (System.nanoTime() > deadline) {
                    LOG.log(System.Logger.Level.WARNING, "{0} still bound 2 s after close", bound);
                    return;
                }
                try {
                    loop.submit(() -> { }).awaitUninterruptibly(100, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException gone) {
                    Thread.onSpinWait();
                }
            }
        }
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
            LOG.log(System.Logger.Level.DEBUG, "dropped a datagram from " + packet.sender(), e);
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        long now = now();
        Session session;
        while ((session = touched.poll()) != null) {
            session.touched = false;
            session.service(now);
        }
        flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors and the like surface here on some platforms; the session layer copes by timeout.
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
        long now = now();
        Session session = sessions.get(remote);
        int kind = header.kind();
        if (kind >= Datagram.HELLO_SECURE && kind <= Datagram.REFUSE) {
            onSecureKind(remote, session, header, datagram, now);
            return;
        }
        if (settings.secure()) {
            // Plain datagrams never touch a secure node's sessions: a HELLO is refused, the rest dropped.
            if (kind == Datagram.HELLO) {
                refuse(remote, header, Datagram.REFUSE_SECURE_ONLY, "it speaks plain and this node is kcp.secure");
            } else if (kind != Datagram.RESET) {
                counters.unauthenticatedDatagrams.increment();
            }
            return;
        }
        switch (kind) {
            case Datagram.HELLO -> onHello(remote, session, header.sender(), now);
            case Datagram.WELCOME -> {
                if (session != null && session.state == Session.State.CONNECTING && header.receiver() == session.localTag) {
                    session.establish(header.sender(), now);
                    seen(session, now);
                    touch(session);
                } else if (session != null && matches(session, header)) {
                    seen(session, now); // a repeated welcome
                }
            }
            case Datagram.DATA -> onData(remote, session, header, datagram, now);
            case Datagram.PING -> {
                if (session != null && matches(session, header)) {
                    seen(session, now);
                } else {
                    reset(remote, header);
                }
            }
            case Datagram.CLOSE -> {
                if (session != null && matches(session, header)) {
                    closeSession(session, -1, "the peer closed it");
                }
            }
            case Datagram.RESET -> {
                // A RESET names the session it refuses by both tags, so a late one cannot end a newer session.
                if (session != null && session.established() && header.receiver() == session.localTag
                        && header.sender() == session.remoteTag) {
                    closeSession(session, -1, "the peer has no such session");
                    session.peer.nextDialAt = now; // the peer is alive: redial at once if it is ours
                }
            }
            default -> counters.malformedInputs.increment();
        }
    }

    private void onHello(InetSocketAddress remote, Session session, int remoteTag, long now) {
        if (session != null && session.established() && session.remoteTag == remoteTag) {
            sendControl(remote, Datagram.WELCOME, session.localTag, remoteTag, 0); // our welcome was lost
            seen(session, now);
            return;
        }
        if (session == null || session.established()) {
            // A first session from this address, or a new one: the peer restarted or dropped the old one.
            session = inboundSession(remote, session, now);
            if (session == null) {
                return;
            }
        }
        // A HELLO while we are dialing too is a simultaneous open: both sides adopt both tags.
        if (session.state == Session.State.CONNECTING) {
            session.establish(remoteTag, now);
        }
        sendControl(remote, Datagram.WELCOME, session.localTag, remoteTag, 0);
        seen(session, now);
        touch(session);
    }

    private void onData(InetSocketAddress remote, Session session, Datagram.Header header, ByteBuf payload, long now) {
        if (session != null && session.state == Session.State.CONNECTING && header.receiver() == session.localTag) {
            session.establish(header.sender(), now); // the peer's welcome was lost, its data was not
        }
        if (session == null || !matches(session, header)) {
            reset(remote, header);
            return;
        }
        seen(session, now);
        if (!Datagram.segmentsValid(payload, session.conv(), session.mss()) || !session.input(payload)) {
            counters.malformedInputs.increment();
            return;
        }
        touch(session);
    }

    private static boolean matches(Session session, Datagram.Header header) {
        return session.established() && header.sender() == session.remoteTag && header.receiver() == session.localTag;
    }

    private void seen(Session session, long now) {
        session.lastReceivedAt = now;
        session.peer.lastSeenWallMillis = epochWallMillis + now;
    }

    private void touch(Session session) {
        if (!session.touched) {
            session.touched = true;
            touched.add(session);
        }
    }

    /** Tells the sender of a datagram for an unknown session that there is none, naming its tags. */
    private void reset(InetSocketAddress remote, Datagram.Header header) {
        if (header.receiver() != 0) {
            sendControl(remote, Datagram.RESET, header.receiver(), header.sender(), 0);
        }
    }

    /** A frame came out of a session's stream whole and checked. */
    void deliver(Session session, String type, byte[] typeBytes, ByteBuffer body, int checksum) {
        Peer peer = session.peer;
        peer.messagesReceived++;
        counters.messagesReceived.increment();
        network.dispatcher().message(new KcpMessage(peer.address, type, typeBytes, body, checksum));
    }

    void pause(Session session) {
        if (!session.paused) {
            session.paused = true;
            paused.add(session);
        }
    }

    /** The plugins made room: read on where the paused sessions stopped. */
    void resumePaused() {
        long now = now();
        int n = paused.size();
        for (int i = 0; i < n && network.dispatcher().hasRoom(); i++) {
            Session session = paused.poll();
            if (session != null && session.paused && session.established()) {
                session.service(now);
            }
        }
        flush();
    }

    // ---------------------------------------------------------------- event loop: sessions

    private Session openSession(Peer peer, boolean inbound, long now) {
        Session session = new Session(this, peer, newTag(), now);
        session.inbound = inbound;
        peer.session = session;
        sessions.put(peer.remote, session);
        sessionsPerIp.merge(peer.remote.getAddress(), 1, Integer::sum);
        return session;
    }

    /**
     * The session a HELLO (plain or secure) opens: a first one from this address, or one that
     * replaces the current session; null if a limit refused it.
     */
    private Session inboundSession(InetSocketAddress remote, Session current, long now) {
        if (!admit(remote, now, current != null)) {
            return null;
        }
        if (current == null) {
            return openSession(network.peerFor(remote), true, now);
        }
        Peer peer = current.peer;
        closeSession(current, -1, "the peer opened a new session", true);
        return openSession(peer, true, now);
    }

    private void forgetSession(Session session) {
        if (sessions.remove(session.peer.remote, session)) {
            sessionsPerIp.computeIfPresent(session.peer.remote.getAddress(), (ip, n) -> n == 1 ? null : n - 1);
        }
    }

    /**
     * Whether another node may open a session now: kcp.max-sessions in all, kcp.max-sessions-per-ip
     * from its address, and kcp.handshakes-per-second (which replacing a session counts against
     * too, or one address could churn sessions without end). Refusals are counted; nothing is
     * sent back, so a flood gets no answers to amplify.
     */
    private boolean admit(InetSocketAddress remote, long now, boolean replacing) {
        String limit = null;
        if (!replacing && sessions.size() >= settings.maxSessions()) {
            limit = "kcp.max-sessions";
        } else if (!replacing && sessionsPerIp.getOrDefault(remote.getAddress(), 0) >= settings.maxSessionsPerIp()) {
            limit = "kcp.max-sessions-per-ip";
        } else {
            handshakeTokens = Math.min(settings.handshakesPerSecond(),
                    handshakeTokens + (now - handshakeTokensAt) * settings.handshakesPerSecond() / 1000.0);
            handshakeTokensAt = now;
            if (handshakeTokens < 1) {
                limit = "kcp.handshakes-per-second";
            } else {
                handshakeTokens--;
            }
        }
        if (limit != null) {
            counters.sessionsRefused.increment();
            String reached = limit;
            LOG.log(System.Logger.Level.DEBUG, () -> "refused a session from " + remote + ": " + reached + " reached");
        }
        return limit == null;
    }

    private void dial(Peer peer, long now) {
        if (closing || peer.session != null) {
            return;
        }
        if (sessions.size() >= settings.maxSessions()) {
            counters.messagesDropped.add(peer.dropQueued());
            return;
        }
        Session session = openSession(peer, false, now);
        session.helloInterval = FIRST_HELLO_RETRY_MILLIS;
        session.nextHelloAt = now + session.helloInterval;
        if (settings.secure()) {
            session.noise = new NoiseXX(true, settings.nodeKey(), PROLOGUE);
            session.handshakeMessage = session.noise.writeMessage(new byte[0], random).orElseThrow();
        }
        sendHello(session);
    }

    private void sendHello(Session session) {
        if (session.noise != null) {
            write(session.peer.remote, Datagram.handshake(allocator(), Datagram.HELLO_SECURE, session.localTag, 0,
                    session.handshakeMessage));
        } else {
            sendControl(session.peer.remote, Datagram.HELLO, session.localTag, 0, 0);
        }
    }

    /** Ends a session; with a reason of 0 or more the peer is told. Then redials or forgets the peer. */
    void closeSession(Session session, int noticeReason, String why) {
        closeSession(session, noticeReason, why, false);
    }

    /** As above; with replacing true the peer keeps its queue for the session that replaces this one. */
    private void closeSession(Session session, int noticeReason, String why, boolean replacing) {
        if (session.state == Session.State.CLOSED) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "session with " + session.peer + " closed: " + why);
        if (noticeReason >= 0 && session.established()) {
            sendOnSession(session, Datagram.CLOSE, noticeReason);
        }
        session.release();
        forgetSession(session);
        Peer peer = session.peer;
        if (peer.session == session) {
            peer.session = null;
        }
        if (replacing) {
            return;
        }
        if (closing || !peer.inRouteTable) {
            counters.messagesDropped.add(peer.dropQueued());
            network.forgetIfUnused(peer);
        } else {
            long delay = peer.redialDelay == 0 ? settings.redialMin().toMillis() : peer.redialDelay;
            peer.nextDialAt = now() + delay;
        }
    }

    /** A peer was deleted from the route table: close its session with notice, drop what waits. */
    void deleted(Peer peer) {
        if (peer.inRouteTable) {
            return; // added again meanwhile
        }
        if (peer.session != null) {
            closeSession(peer.session, Datagram.CLOSE_DELETED, "deleted from the route table");
        } else {
            counters.messagesDropped.add(peer.dropQueued());
            network.forgetIfUnused(peer);
        }
        flush();
    }

    private void drainDirty() {
        wakeScheduled.set(false);
        long now = now();
        Peer peer;
        while ((peer = dirty.poll()) != null) {
            peer.flushScheduled.set(false);
            Session session = peer.session;
            if (closing) {
                counters.messagesDropped.add(peer.dropQueued());
            } else if (session == null) {
                if (!peer.queue.isEmpty() || peer.inRouteTable) {
                    if (now >= peer.nextDialAt) {
                        dial(peer, now);
                    }
                } else {
                    network.forgetIfUnused(peer);
                }
            } else if (session.established()) {
                session.send(now);
            }
        }
        flush();
    }

    /** Every tick: handshake retries and timeouts, keepalives, dead peers, redials, paused reads. */
    private void housekeep() {
        try {
            long now = now();
            for (Session session : new ArrayList<>(sessions.values())) {
                if (session.state == Session.State.CONNECTING) {
                    if (now - session.startedAt > settings.connectTimeout().toMillis()) {
                        Peer peer = session.peer;
                        long next = peer.redialDelay == 0 ? settings.redialMin().toMillis() : 2 * peer.redialDelay;
                        closeSession(session, -1, "no answer within kcp.connect-timeout");
                        peer.redialDelay = Math.min(next, settings.redialMax().toMillis());
                        peer.nextDialAt = now + peer.redialDelay;
                    } else if (now >= session.nextHelloAt) {
                        session.helloInterval = Math.min(2 * session.helloInterval, LAST_HELLO_RETRY_MILLIS);
                        session.nextHelloAt = now + session.helloInterval;
                        sendHello(session);
                    }
                } else if (session.state == Session.State.HANDSHAKING) {
                    if (now - session.startedAt > settings.connectTimeout().toMillis()) {
                        closeSession(session, -1, "the handshake did not finish within kcp.connect-timeout");
                    }
                } else if (session.established()) {
                    if (now - session.lastReceivedAt > settings.deadPeerTimeout().toMillis()) {
                        closeSession(session, Datagram.CLOSE_SHUTDOWN, "nothing heard within kcp.dead-peer-timeout");
                    } else if (now - session.lastSentAt >= settings.keepalive().toMillis()) {
                        session.lastSentAt = now;
                        sendOnSession(session, Datagram.PING, 0);
                    }
                }
            }
            for (Peer peer : network.routeTable()) {
                if (peer.session == null && now >= peer.nextDialAt) {
                    dial(peer, now);
                }
            }
            if (!paused.isEmpty() && network.dispatcher().hasRoom()) {
                resumePaused();
            }
            flush();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "housekeeping failed", e);
        }
    }

    // ---------------------------------------------------------------- event loop: secure sessions

    /** Binds the handshake to this protocol, so its keys can never be replayed into another. */
    private static final byte[] PROLOGUE = "gladius-p2p kcp 1".getBytes(StandardCharsets.US_ASCII);

    private void onSecureKind(InetSocketAddress remote, Session session, Datagram.Header header, ByteBuf payload, long now) {
        int kind = header.kind();
        if (kind == Datagram.REFUSE) {
            onRefuse(session, header, payload.readUnsignedByte(), now);
            return;
        }
        if (!settings.secure()) {
            if (kind == Datagram.HELLO_SECURE) {
                refuse(remote, header, Datagram.REFUSE_PLAIN_ONLY, "it speaks secure and this node is plain (kcp.secure=false)");
            } else {
                counters.malformedInputs.increment();
            }
            return;
        }
        switch (kind) {
            case Datagram.HELLO_SECURE -> onHelloSecure(remote, session, header.sender(), bytes(payload), now);
            case Datagram.WELCOME_SECURE -> onWelcomeSecure(session, header, bytes(payload), now);
            case Datagram.CONFIRM -> onConfirm(session, header, bytes(payload), now);
            default -> onSealed(session, header, payload, now);
        }
    }

    private void onHelloSecure(InetSocketAddress remote, Session session, int remoteTag, byte[] message, long now) {
        if (session != null && session.remoteTag == remoteTag
                && (session.state == Session.State.HANDSHAKING || session.established())) {
            if (session.state == Session.State.HANDSHAKING) {
                // Our second message was lost: send it again, unchanged.
                write(remote, Datagram.handshake(allocator(), Datagram.WELCOME_SECURE, session.localTag, remoteTag,
                        session.handshakeMessage));
            }
            return;
        }
        if (session != null && session.state == Session.State.CONNECTING
                && Integer.compareUnsigned(session.localTag, remoteTag) > 0) {
            return; // both dialed: the larger tag stays initiator, and the peer will answer our HELLO
        }
        if (session == null || session.state != Session.State.CONNECTING) {
            // A first session from this address, or a new incarnation of the peer replacing the old one.
            session = inboundSession(remote, session, now);
            if (session == null) {
                return;
            }
        } else {
            session.inbound = true; // we dialed too, and lost the tie: answer as the responder
        }
        NoiseXX noise = new NoiseXX(false, settings.nodeKey(), PROLOGUE);
        Optional<byte[]> second = noise.readMessage(message).flatMap(unused -> noise.writeMessage(new byte[0], random));
        if (second.isEmpty()) {
            counters.unauthenticatedDatagrams.increment();
            closeSession(session, -1, "its first handshake message was unusable");
            return;
        }
        session.noise = noise;
        session.handshakeMessage = second.get();
        session.remoteTag = remoteTag;
        session.state = Session.State.HANDSHAKING;
        session.startedAt = now;
        write(remote, Datagram.handshake(allocator(), Datagram.WELCOME_SECURE, session.localTag, remoteTag, second.get()));
    }

    private void onWelcomeSecure(Session session, Datagram.Header header, byte[] message, long now) {
        if (session == null || header.receiver() != session.localTag) {
            counters.unauthenticatedDatagrams.increment();
            return;
        }
        if (session.established() && session.remoteTag == header.sender() && session.handshakeMessage != null) {
            write(session.peer.remote, Datagram.handshake(allocator(), Datagram.CONFIRM, session.localTag, session.remoteTag,
                    session.handshakeMessage)); // our third message was lost
            return;
        }
        if (session.state != Session.State.CONNECTING || session.noise == null) {
            return;
        }
        NoiseXX noise = session.noise;
        if (noise.readMessage(message).isEmpty()) {
            counters.unauthenticatedDatagrams.increment();
            return; // a forgery cannot end a dial: the real answer may still come
        }
        byte[] theirKey = noise.remoteStatic().orElseThrow();
        if (refusedKey(session, header, theirKey)) {
            return;
        }
        Optional<byte[]> third = noise.writeMessage(new byte[0], random);
        if (third.isEmpty()) {
            closeSession(session, -1, "the handshake failed");
            return;
        }
        session.handshakeMessage = third.get();
        session.establishSecure(header.sender(), noise.split(), theirKey, now);
        session.lastConfirmAt = now;
        write(session.peer.remote, Datagram.handshake(allocator(), Datagram.CONFIRM, session.localTag, session.remoteTag, third.get()));
        seen(session, now);
        touch(session);
    }

    private void onConfirm(Session session, Datagram.Header header, byte[] message, long now) {
        if (session == null || header.receiver() != session.localTag || header.sender() != session.remoteTag
                || session.state != Session.State.HANDSHAKING) {
            if (session == null || !session.established()) {
                counters.unauthenticatedDatagrams.increment();
            }
            return;
        }
        NoiseXX noise = session.noise;
        if (noise.readMessage(message).isEmpty()) {
            counters.unauthenticatedDatagrams.increment();
            closeSession(session, -1, "its third handshake message did not authenticate");
            return;
        }
        byte[] theirKey = noise.remoteStatic().orElseThrow();
        if (refusedKey(session, header, theirKey)) {
            return;
        }
        session.handshakeMessage = null;
        session.establishSecure(session.remoteTag, noise.split(), theirKey, now);
        session.confirmed = true;
        seen(session, now);
        touch(session);
    }

    private void onSealed(Session session, Datagram.Header header, ByteBuf payload, long now) {
        if (session == null || !session.established() || !session.secure() || !matches(session, header)) {
            counters.unauthenticatedDatagrams.increment();
            return;
        }
        int epoch = payload.readUnsignedByte();
        long counter = payload.readLong();
        Optional<byte[]> plain = session.channel.open(Datagram.sealedHeader(header.sender(), header.receiver()),
                epoch, counter, bytes(payload));
        if (plain.isEmpty() || plain.get().length == 0) {
            counters.unauthenticatedDatagrams.increment(); // forged, damaged, or a replay
            return;
        }
        session.confirmed = true;
        byte[] inner = plain.get();
        seen(session, now);
        switch (inner[0]) {
            case Datagram.DATA -> {
                ByteBuf segments = Unpooled.wrappedBuffer(inner, 1, inner.length - 1);
                if (segments.readableBytes() < Datagram.KCP_OVERHEAD
                        || !Datagram.segmentsValid(segments, session.conv(), session.mss()) || !session.input(segments)) {
                    counters.malformedInputs.increment();
                    return;
                }
                touch(session);
            }
            case Datagram.PING -> { }
            case Datagram.CLOSE -> closeSession(session, -1, "the peer closed it");
            default -> counters.malformedInputs.increment();
        }
    }

    private void onRefuse(Session session, Datagram.Header header, int reason, long now) {
        boolean handshaking = session != null && (!session.established() || (session.secure() && !session.confirmed));
        if (session == null || header.receiver() != session.localTag || !handshaking) {
            counters.unauthenticatedDatagrams.increment();
            return; // a refusal only ends a handshake that is still going on (for an initiator: until confirmed)
        }
        counters.sessionsRefused.increment();
        String why = switch (reason) {
            case Datagram.REFUSE_PLAIN_ONLY -> "the peer is plain and this node is kcp.secure";
            case Datagram.REFUSE_SECURE_ONLY -> "the peer is kcp.secure and this node is plain";
            case Datagram.REFUSE_KEY_NOT_ALLOWED -> "the peer does not allow this node's static key";
            default -> "the peer refused it (reason " + reason + ")";
        };
        LOG.log(System.Logger.Level.WARNING, "session with {0} refused: {1}", session.peer, why);
        Peer peer = session.peer;
        closeSession(session, -1, why);
        // Asking again at once would be refused again: back off as after a dial that got no answer.
        peer.redialDelay = Math.min(Math.max(2 * peer.redialDelay, settings.redialMin().toMillis() * 10), settings.redialMax().toMillis());
        peer.nextDialAt = now + peer.redialDelay;
    }

    /** Refuses a handshake with its reason, counted and logged here and told to the peer. */
    private void refuse(InetSocketAddress remote, Datagram.Header header, int reason, String why) {
        counters.sessionsRefused.increment();
        LOG.log(System.Logger.Level.WARNING, "refused a session from {0}: {1}", remote, why);
        sendControl(remote, Datagram.REFUSE, header.receiver() == 0 ? 1 : header.receiver(), header.sender(), reason);
    }

    /** Refuses and closes the handshake if kcp.allow-keys is set and lacks the key it proved; true if so. */
    private boolean refusedKey(Session session, Datagram.Header header, byte[] staticKey) {
        String hex = HexFormat.of().formatHex(staticKey);
        if (settings.allowKeys().isEmpty() || settings.allowKeys().contains(hex)) {
            return false;
        }
        refuse(session.peer.remote, header, Datagram.REFUSE_KEY_NOT_ALLOWED, "its static key " + hex + " is not in kcp.allow-keys");
        closeSession(session, -1, "its static key is not allowed");
        return true;
    }

    /** Seals one inner datagram of a secure session (DATA with segments, PING, or CLOSE with a reason). */
    void writeSealed(Session session, int innerKind, ByteBuf segments, int reason) {
        byte[] plain;
        if (segments != null) {
            try {
                plain = new byte[1 + segments.readableBytes()];
                segments.readBytes(plain, 1, plain.length - 1);
            } finally {
                segments.release();
            }
        } else {
            plain = innerKind == Datagram.CLOSE ? new byte[] {0, (byte) reason} : new byte[1];
        }
        plain[0] = (byte) innerKind;
        long now = now();
        if (!session.confirmed && session.handshakeMessage != null && now - session.lastConfirmAt >= 50) {
            // The responder may not have our third message yet; until it answers, send it along.
            session.lastConfirmAt = now;
            write(session.peer.remote, Datagram.handshake(allocator(), Datagram.CONFIRM, session.localTag, session.remoteTag,
                    session.handshakeMessage));
        }
        byte[] header = Datagram.sealedHeader(session.localTag, session.remoteTag);
        write(session.peer.remote, Datagram.sealed(allocator(), header, session.channel.seal(header, plain, now)));
    }

    private void sendOnSession(Session session, int kind, int reason) {
        if (session.secure()) {
            writeSealed(session, kind, null, reason);
        } else {
            sendControl(session.peer.remote, kind, session.localTag, session.remoteTag, reason);
        }
    }

    private static byte[] bytes(ByteBuf buffer) {
        byte[] out = new byte[buffer.readableBytes()];
        buffer.readBytes(out);
        return out;
    }

    // ---------------------------------------------------------------- event loop: output

    private void sendControl(InetSocketAddress remote, int kind, int sender, int receiver, int reason) {
        write(remote, Datagram.control(allocator(), kind, sender, receiver, reason));
    }

    void write(InetSocketAddress remote, ByteBuf datagram) {
        counters.bytesSent.add(datagram.readableBytes());
        channel.write(new DatagramPacket(datagram, remote), channel.voidPromise());
    }

    void flush() {
        channel.flush();
    }

    // ---------------------------------------------------------------- event loop: state

    Snapshots.Network snapshot() {
        List<PeerState> peers = new ArrayList<>();
        for (Peer peer : network.peers()) {
            Session session = peer.session;
            boolean connected = session != null && session.established();
            peers.add(new Snapshots.Peer(peer.address, peer.inRouteTable, peer.inRouteTable, connected,
                    session != null && session.inbound,
                    Duration.ofMillis(connected ? session.smoothedRttMillis() : 0),
                    peer.messagesSent, peer.messagesReceived,
                    peer.retransmissionsOfClosedSessions + (session == null ? 0 : session.retransmissions()),
                    peer.queue.size(),
                    Instant.ofEpochMilli(peer.lastSeenWallMillis),
                    connected ? session.remoteStatic : null));
        }
        peers.sort(Comparator.comparing(PeerState::address));
        return new Snapshots.Network(network.localAddress(), peers,
                counters.messagesSent.sum(), counters.messagesReceived.sum(),
                counters.bytesSent.sum(), counters.bytesReceived.sum(),
                counters.messagesDropped.sum(), counters.checksumFailures.sum(),
                counters.malformedInputs.sum(), network.dispatcher().failures(),
                counters.sessionsRefused.sum(), counters.unauthenticatedDatagrams.sum());
    }

    long now() {
        return (System.nanoTime() - epochNanos) / 1_000_000;
    }

    private int newTag() {
        int tag;
        do {
            tag = random.nextInt();
        } while (tag == 0);
        return tag;
    }

    ByteBufAllocator allocator() {
        return channel.alloc();
    }

    EventLoop loop() {
        return loop;
    }

    Counters counters() {
        return counters;
    }

    PluginDispatcher dispatcher() {
        return network.dispatcher();
    }
}
