package gladius.p2p.kcp.internal.host;

import gladius.p2p.NodeAddress;
import gladius.p2p.kcp.internal.core.Driver;
import gladius.p2p.kcp.internal.core.KcpSettings;
import gladius.p2p.kcp.internal.core.NodeRecords;
import gladius.p2p.kcp.internal.core.Peer;
import gladius.p2p.kcp.internal.core.PeerTable;
import gladius.p2p.kcp.internal.core.SessionLayer;
import gladius.p2p.kcp.internal.dispatch.PluginDispatcher;
import gladius.p2p.kcp.internal.observe.Counters;
import gladius.p2p.kcp.internal.observe.Snapshots;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one network's {@link SessionLayer} (the protocol core) on a Netty channel: its
 * {@link UdpEndpoint} reads datagrams into the core and is the core's {@link Driver}, the end of
 * each read batch services what it touched, one event-loop timer waits for the core's next
 * deadline, and after every call into the core what it wrote is flushed and that timer moved if
 * the deadline did. Other threads reach the core only through the methods here, which hop onto
 * the event loop. Nothing of the protocol is here: a simulation drives the same core without it.
 */
public final class NettyDriver extends ChannelInboundHandlerAdapter implements Host {

    private static final System.Logger LOG = System.getLogger(NettyDriver.class.getName());

    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    // Set once by bind, before the socket starts reading.
    private UdpEndpoint endpoint;
    private SessionLayer core;
    /** The event-loop timer set for the core's next deadline, and that deadline. */
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;

    private NettyDriver() {}

    /** Binds a socket on one loop of the group and starts serving it; blocks until bound. */
    static NettyDriver bind(InetSocketAddress address, SocketIo io, EventLoopGroup group, KcpSettings settings,
                            Counters counters, PluginDispatcher dispatcher, PeerTable peers) {
        NettyDriver driver = new NettyDriver();
        driver.endpoint = UdpEndpoint.bind(io, group, address, settings.mtu(), driver, counters);
        driver.core = new SessionLayer(settings, counters, dispatcher, peers, driver.endpoint,
                io.name().toLowerCase(java.util.Locale.ROOT));
        driver.endpoint.call(() -> {
            driver.inCore(driver.core::start);
            return null;
        });
        driver.endpoint.startReading();
        return driver;
    }

    @Override
    public InetSocketAddress localSocket() {
        return endpoint.localAddress();
    }

    /** The bound address, as {@link gladius.p2p.Network#localAddress()} gives it. */
    @Override
    public NodeAddress localAddress() {
        return core.localAddress();
    }

    /** This node's record as any thread may read it; null in plain mode. */
    @Override
    public NodeRecords.Signed record() {
        return core.record();
    }

    // ---------------------------------------------------------------- any thread

    /**
     * Marks a peer as having frames to send or a dial to make; true if it was idle, and then the
     * caller must {@link #wake()} the loop (if it was pending already, whoever marked it does).
     */
    @Override
    public boolean markDirty(Peer peer) {
        return core.markDirty(peer);
    }

    /** Has the event loop service the dirty peers; one task however many callers wake it. */
    @Override
    public void wake() {
        if (wakeScheduled.compareAndSet(false, true)) {
            endpoint.execute(() -> {
                wakeScheduled.set(false);
                inCore(core::drainDirty);
            });
        }
    }

    /** A peer was deleted from the route table: close its session with notice, drop what waits. */
    @Override
    public void deleted(Peer peer) {
        endpoint.execute(() -> inCore(() -> core.onDeleted(peer)));
    }

    /** A key was pinned for this peer: a session that proved another one ends (and the peer is redialed). */
    @Override
    public void pinned(Peer peer) {
        if (peer != null) {
            endpoint.execute(() -> inCore(() -> core.onPinned(peer)));
        }
    }

    /** The plugins made room: read on where the paused sessions stopped. */
    @Override
    public void roomAgain() {
        endpoint.execute(() -> inCore(core::resumePaused));
    }

    /** The network's state, read on the event loop. */
    @Override
    public Snapshots.Network snapshot() {
        return endpoint.call(core::takeSnapshot);
    }

    @Override
    public Snapshots.Peer peerSnapshot(InetSocketAddress remote) {
        return endpoint.call(() -> core.peerSnapshot(remote));
    }

    /** The event loop, for the non-blocking plugins: a task per drain, queued behind the loop's I/O. */
    @Override
    public Executor loop() {
        return endpoint::execute;
    }

    /** Closes every session with notice, then the socket; blocks until the socket is closed. */
    @Override
    public void shutdown() {
        endpoint.call(() -> {
            inCore(core::closeAll);
            if (timer != null) {
                timer.cancel(false);
            }
            return null;
        });
        endpoint.close();
    }

    // ---------------------------------------------------------------- event loop

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            core.receive(packet.sender(), packet.content());
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inCore(core::readComplete);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors and the like surface here on some platforms; sessions cope by timeout.
        LOG.log(System.Logger.Level.DEBUG, "socket error", cause);
    }

    /** The core's next deadline came: run what is due. */
    private void onTimer() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        try {
            core.timers().runDue(endpoint.now());
        } catch (RuntimeException e) {
            // A bug, not a peer's doing (nothing a peer sends throws out of the core): the timers
            // after it still run, at the next deadline, which afterCall sets either way.
            LOG.log(System.Logger.Level.ERROR, "a protocol timer failed", e);
        } finally {
            afterCall();
        }
    }

    /** One call into the core, on the event loop, and what follows every one. */
    private void inCore(Runnable call) {
        try {
            call.run();
        } finally {
            afterCall();
        }
    }

    /**
     * After every call into the core: what it wrote leaves, and the timer is set no later than the
     * core's next deadline. A timer set earlier than needed (the deadline moved later, or went)
     * is left to fire and find nothing due: cheaper than moving it at every turn.
     */
    private void afterCall() {
        endpoint.flush();
        long next = core.timers().nextDeadline();
        if (next == Long.MAX_VALUE || (timer != null && timerAt <= next)) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = next;
        timer = endpoint.schedule(this::onTimer, Math.max(0, next - endpoint.now()));
    }
}
