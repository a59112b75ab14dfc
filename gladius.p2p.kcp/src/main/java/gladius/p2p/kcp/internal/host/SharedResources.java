package gladius.p2p.kcp.internal.host;

import gladius.p2p.kcp.internal.core.KcpSettings;
import gladius.p2p.kcp.internal.core.PeerTable;
import gladius.p2p.kcp.internal.dispatch.PluginDispatcher;
import gladius.p2p.kcp.internal.observe.Counters;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The threads that every network in this JVM shares: one I/O event-loop group sized to the cores,
 * and one executor for plugin callbacks (per socket implementation: an epoll channel needs an epoll
 * loop, so networks on NIO and on epoll in one JVM share with their own kind). Counted by
 * reference: the last network to close stops them, so a JVM with no open network has none of
 * these threads. The {@link Hosting} of every network on sockets.
 */
public final class SharedResources implements Hosting {

    private static final Object LOCK = new Object();
    private static final Map<SocketIo, SharedResources> SHARED = new EnumMap<>(SocketIo.class);

    final SocketIo io;
    final EventLoopGroup ioGroup;
    final ExecutorService pluginExecutor;
    private final boolean isShared;
    private int references;

    private SharedResources(SocketIo io, int ioThreads, boolean isShared) {
        this.io = io;
        this.isShared = isShared;
        this.ioGroup = new MultiThreadIoEventLoopGroup(ioThreads,
                new DefaultThreadFactory(isShared ? "gladius-io" : "gladius-io-private", true), io.handlerFactory());
        int cores = Runtime.getRuntime().availableProcessors();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(cores, cores, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DefaultThreadFactory("gladius-plugins", true));
        executor.allowCoreThreadTimeOut(true);
        this.pluginExecutor = executor;
    }

    /** The shared threads of this socket implementation (threads == 0), or a private group of that many I/O threads. */
    public static SharedResources acquire(SocketIo io, int privateIoThreads) {
        if (privateIoThreads > 0) {
            SharedResources own = new SharedResources(io, privateIoThreads, false);
            own.references = 1;
            return own;
        }
        synchronized (LOCK) {
            SharedResources shared = SHARED.computeIfAbsent(io,
                    kind -> new SharedResources(kind, Runtime.getRuntime().availableProcessors(), true));
            shared.references++;
            return shared;
        }
    }

    @Override
    public Executor pluginExecutor() {
        return pluginExecutor;
    }

    @Override
    public PluginDispatcher.Timer pluginTimer() {
        return (task, delayNanos) -> ioGroup.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public Host bind(InetSocketAddress address, KcpSettings settings, Counters counters, PluginDispatcher dispatcher,
                     PeerTable peers) {
        return NettyDriver.bind(address, io, ioGroup, settings, counters, dispatcher, peers);
    }

    @Override
    public InstantSource clock() {
        return InstantSource.system();
    }

    @Override
    public RandomGenerator random() {
        return ThreadLocalRandom.current();
    }

    @Override
    public PluginDispatcher.Waiter waiter() {
        return PluginDispatcher.Waiter.BLOCKING;
    }

    @Override
    public void release() {
        synchronized (LOCK) {
            if (--references > 0) {
                return;
            }
            if (isShared) {
                SHARED.remove(io);
            }
        }
        ioGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        pluginExecutor.shutdown();
    }
}
