package gladius.p2p.kcp.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One network's UDP socket and the event loop it is registered with: binding, writing and
 * flushing datagrams, the loop's clock and tasks, and closing with the port released. Knows
 * nothing of sessions; the {@link SessionLayer} is the handler that reads from it. Writes, flushes
 * and the clock belong to the event loop; {@link #execute}, {@link #call} and {@link #close} may be
 * called from any thread.
 */
final class UdpEndpoint {

    private static final System.Logger LOG = System.getLogger(UdpEndpoint.class.getName());
    /**
     * Datagrams read in one go before the loop runs its tasks (Netty's default for datagram
     * channels is 16). Timers run after a read, so a loop that fell behind reads more of the
     * ACKs waiting for it before a retransmission timer can resend what they acknowledge.
     */
    static final int MAX_DATAGRAMS_PER_READ = 64;

    private final Channel channel;
    private final EventLoop loop;
    private final Counters counters;
    private final long epochNanos = System.nanoTime();
    private final long epochWallMillis = System.currentTimeMillis();

    private UdpEndpoint(Channel channel, Counters counters) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.counters = counters;
    }

    /**
     * Binds a socket on one loop of the group for the given handler, which reads nothing until
     * {@link #startReading()}; blocks until bound. A failure is an IllegalStateException naming
     * the address, caused by the socket's own exception (a {@link java.net.BindException} when
     * the port is taken).
     */
    static UdpEndpoint bind(EventLoopGroup group, InetSocketAddress address, int mtu, ChannelHandler reader,
                            Counters counters) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.AUTO_READ, false) // until the reader is ready: startReading
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Math.max(2048, mtu + 1))
                        .maxMessagesPerRead(MAX_DATAGRAMS_PER_READ))
                .handler(reader);
        try {
            return new UdpEndpoint(bootstrap.bind(address).sync().channel(), counters);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + address, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot bind " + address + ": " + e.getMessage(), e);
        }
    }

    /** Starts reading datagrams into the handler given to {@link #bind}. */
    void startReading() {
        channel.config().setAutoRead(true);
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    // ---------------------------------------------------------------- event loop

    /** Milliseconds since the socket was bound: the clock of everything on its event loop. */
    long now() {
        return (System.nanoTime() - epochNanos) / 1_000_000;
    }

    /** The wall-clock time of a {@link #now()} reading, in milliseconds since the epoch. */
    long wallMillis(long now) {
        return epochWallMillis + now;
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** Queues one datagram for the socket; it leaves on the next {@link #flush()}. */
    void write(InetSocketAddress remote, ByteBuf datagram) {
        counters.bytesSent.add(datagram.readableBytes());
        channel.write(new DatagramPacket(datagram, remote), channel.voidPromise());
    }

    /** A control datagram (HELLO, WELCOME, PING, CLOSE, RESET, REFUSE) under these tags. */
    void writeControl(InetSocketAddress remote, int kind, int sender, int receiver, int reason) {
        write(remote, Datagram.control(alloc(), kind, sender, receiver, reason));
    }

    void flush() {
        channel.flush();
    }

    ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        return loop.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long periodMillis) {
        return loop.scheduleAtFixedRate(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
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
