package gladius.p2p.kcp.internal.host;

import gladius.p2p.kcp.internal.core.Driver;
import gladius.p2p.kcp.internal.core.SessionLayer;
import gladius.p2p.kcp.internal.observe.Addresses;
import gladius.p2p.kcp.internal.observe.Counters;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One network's UDP socket and the event loop it is registered with: binding, writing and
 * flushing datagrams, the loop's clock and tasks, and closing with the port released. Knows
 * nothing of sessions; the {@link SessionLayer} is the handler that reads from it. Writes, flushes
 * and the clock belong to the event loop; {@link #execute}, {@link #call} and {@link #close} may be
 * called from any thread.
 *
 * <p>On {@link SocketIo#EPOLL} the socket reads a peer's runs of datagrams coalesced where the
 * kernel can (UDP GRO, cut back into the datagrams by {@link GroRuns}), else up to
 * {@value #DATAGRAMS_PER_SYSCALL} datagrams per {@code recvmmsg}; a flush leaves as one
 * {@code sendmmsg}, and consecutive writes to one peer of
 * one size (the last may be shorter) are joined into one UDP GSO send that the kernel cuts back
 * into those same datagrams: every datagram on the wire is still one that was written, never
 * larger, never an IP fragment. A GSO send the path refuses (a segment larger than the
 * interface's MTU) turns GSO off for this socket with one log line; what it carried is resent by
 * KCP as it would be after any loss.
 */
public final class UdpEndpoint implements Driver {

    private static final System.Logger LOG = System.getLogger(UdpEndpoint.class.getName());
    /**
     * Datagrams read in one go before the loop runs its tasks (Netty's default for datagram
     * channels is 16). Timers run after a read, so a loop that fell behind reads more of the
     * ACKs waiting for it before a retransmission timer can resend what they acknowledge.
     */
    static final int MAX_DATAGRAMS_PER_READ = 64;
    /** Datagrams one {@code recvmmsg} may read (epoll). */
    static final int DATAGRAMS_PER_SYSCALL = 16;
    /** Segments the kernel takes in one GSO send (UDP_MAX_SEGMENTS). */
    static final int MAX_SEGMENTS = 64;
    /** Bytes in one GSO send: the largest UDP payload over IPv4. */
    static final int MAX_SEGMENTED_BYTES = 65_507;
    /** A read's buffer when runs arrive coalesced (UDP GRO): the largest UDP payload and then some. */
    static final int GRO_READ_BYTES = 65_536;

    private final SocketIo io;
    private final Channel channel;
    private final EventLoop loop;
    private final Counters counters;
    private final long epochNanos = System.nanoTime();
    private final long epochWallMillis = System.currentTimeMillis();
    private final SecureRandom random = new SecureRandom();

    /**
     * Writes to one peer waiting to leave as one GSO send: the peer, the segment size, the
     * datagrams (the first alone as itself, so that the usual run of one costs no composite).
     */
    private boolean segmentedSends;
    private InetSocketAddress runRemote;
    private int runSegmentSize;
    private ByteBuf run;
    private int runCount;
    private int runBytes;
    /** The run's last datagram was shorter than its segment size: nothing more can join it. */
    private boolean runEnded;

    private UdpEndpoint(SocketIo io, Channel channel, Counters counters) {
        this.io = io;
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.counters = counters;
        this.segmentedSends = io.segmentedSends();
    }

    /**
     * Binds a socket on one loop of the group for the given handler, which reads nothing until
     * {@link #startReading()}; blocks until bound. A failure is an IllegalStateException naming
     * the address, caused by the socket's own exception (a {@link java.net.BindException} when
     * the port is taken).
     */
    static UdpEndpoint bind(SocketIo io, EventLoopGroup group, InetSocketAddress address, int mtu, ChannelHandler reader,
                            Counters counters) {
        // One byte more than the largest datagram a peer may send, so a larger one shows as too long.
        int slot = Math.max(2048, mtu + 1);
        int perSyscall = io == SocketIo.EPOLL ? DATAGRAMS_PER_SYSCALL : 1;
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(io.channelClass())
                .option(ChannelOption.AUTO_READ, false) // until the reader is ready: startReading
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(slot * perSyscall)
                        .maxMessagesPerRead(MAX_DATAGRAMS_PER_READ))
                .handler(reader);
        if (io == SocketIo.EPOLL) {
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, slot) // recvmmsg, one slot per datagram
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline().addLast(new GroRuns(), reader);
                        }
                    });
        }
        try {
            Channel channel = bootstrap.bind(address).sync().channel();
            if (io == SocketIo.EPOLL) {
                coalesceReads(channel);
            }
            return new UdpEndpoint(io, channel, counters);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + Addresses.nodeAddress(address), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot bind " + Addresses.nodeAddress(address) + ": " + e.getMessage(), asBindException(e));
        }
    }

    /**
     * Has the kernel hand over runs of datagrams from one sender coalesced (UDP GRO, Linux 5.0+),
     * each read one {@code recvmsg} of up to 64 KiB: a peer's GSO send arrives as it left, in one
     * piece, and the kernel cuts no run into datagrams on either side (a 1 KiB message cost each
     * of the two event loops 1.6-1.7 µs of CPU with recvmmsg, 0.9-1.1 µs with GRO, docs/BENCHMARKS.md).
     * {@link GroRuns} cuts each run back into the datagrams that were sent. Where the kernel
     * refuses the option, the socket keeps reading {@value #DATAGRAMS_PER_SYSCALL} datagrams per
     * {@code recvmmsg}.
     */
    private static void coalesceReads(Channel channel) {
        try {
            if (!channel.config().setOption(EpollChannelOption.UDP_GRO, true)) {
                return;
            }
        } catch (ChannelException e) {
            LOG.log(System.Logger.Level.DEBUG, "UDP GRO not available; reading with recvmmsg", e);
            return;
        }
        // A coalesced run needs a buffer as large as the largest run: a smaller slot would cut it short.
        channel.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 0);
        channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(GRO_READ_BYTES)
                .maxMessagesPerRead(MAX_DATAGRAMS_PER_READ));
    }

    /**
     * Cuts a coalesced run (UDP GRO) back into the datagrams it was made of: all of the run's
     * segment size but the last, which may be shorter. A datagram that came alone passes as it is.
     */
    static final class GroRuns extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof SegmentedDatagramPacket run) || run.segmentSize() <= 0
                    || run.content().readableBytes() <= run.segmentSize()) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                ByteBuf content = run.content();
                int size = run.segmentSize();
                while (content.isReadable()) {
                    ctx.fireChannelRead(new DatagramPacket(content.readRetainedSlice(Math.min(size, content.readableBytes())),
                            run.recipient(), run.sender()));
                }
            } finally {
                run.release();
            }
        }
    }

    /**
     * The JDK reports a failed bind as a {@link BindException}; Netty's native transport as its
     * own IOException with the errno in the message. The cause a caller sees is the JDK's kind
     * either way, with the native one as its cause.
     */
    private static Exception asBindException(Exception e) {
        if (e instanceof Errors.NativeIoException) {
            BindException bind = new BindException(e.getMessage());
            bind.initCause(e);
            return bind;
        }
        return e;
    }

    SocketIo io() {
        return io;
    }

    /** Whether runs of datagrams are read coalesced (UDP GRO). */
    boolean coalescedReads() {
        return io == SocketIo.EPOLL && channel.config().getOption(EpollChannelOption.UDP_GRO);
    }

    /** Starts reading datagrams into the handler given to {@link #bind}. */
    void startReading() {
        channel.config().setAutoRead(true);
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    // ---------------------------------------------------------------- event loop

    @Override
    public SecureRandom random() {
        return random;
    }

    /** Milliseconds since the socket was bound: the clock of everything on its event loop. */
    @Override
    public long now() {
        return (System.nanoTime() - epochNanos) / 1_000_000;
    }

    /** The wall-clock time of a {@link #now()} reading, in milliseconds since the epoch. */
    @Override
    public long wallMillis(long now) {
        return epochWallMillis + now;
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** Queues one datagram for the socket; it leaves on the next {@link #flush()}. */
    @Override
    public void write(InetSocketAddress remote, ByteBuf datagram) {
        int length = datagram.readableBytes();
        counters.bytesSent.add(length);
        if (!segmentedSends) {
            channel.write(new DatagramPacket(datagram, remote), channel.voidPromise());
            return;
        }
        if (runCount > 0 && !runEnded && length <= runSegmentSize && runCount < MAX_SEGMENTS
                && runBytes + length <= MAX_SEGMENTED_BYTES && remote.equals(runRemote)) {
            if (runCount == 1) {
                CompositeByteBuf datagrams = channel.alloc().compositeDirectBuffer(MAX_SEGMENTS);
                datagrams.addComponent(true, run);
                run = datagrams;
            }
            ((CompositeByteBuf) run).addComponent(true, datagram);
            runCount++;
            runBytes += length;
            runEnded = length < runSegmentSize;
            return;
        }
        writeRun();
        run = datagram;
        runCount = 1;
        runBytes = length;
        runRemote = remote;
        runSegmentSize = length;
        runEnded = false;
    }

    /** Hands the waiting run to the channel: one datagram as itself, more as one GSO send. */
    private void writeRun() {
        if (runCount == 0) {
            return;
        }
        ByteBuf datagrams = run;
        int count = runCount;
        run = null;
        runCount = 0;
        if (count == 1) {
            channel.write(new DatagramPacket(datagrams, runRemote), channel.voidPromise());
            return;
        }
        ChannelFuture sent = channel.write(new SegmentedDatagramPacket(datagrams, runSegmentSize, runRemote));
        sent.addListener(this::onSegmentedSent);
    }

    private void onSegmentedSent(io.netty.util.concurrent.Future<? super Void> sent) {
        if (!sent.isSuccess() && segmentedSends && channel.isOpen()) {
            segmentedSends = false;
            LOG.log(System.Logger.Level.WARNING, "{0}: UDP GSO send refused ({1}); sending datagrams one by one from now on",
                    localAddress(), String.valueOf(sent.cause()));
        }
    }

    void flush() {
        writeRun();
        channel.flush();
    }

    ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        return loop.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- any thread

    /** Runs a task on the event loop; once the shared loop has shut down (every network closed) it is dropped. */
    void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException closed) {
            LOG.log(System.Logger.Level.DEBUG, "event loop gone; task dropped: {0}", closed.getMessage());
        }
    }

    /** Runs a task on the event loop and waits (at most ten seconds) for its result. */
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

    /** Closes the socket; blocks until it is closed and its port can be bound again. */
    void close() {
        InetSocketAddress bound = localAddress();
        execute(() -> {
            if (run != null) {
                run.release();
                run = null;
                runCount = 0;
            }
        });
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
}
