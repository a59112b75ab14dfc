package gladius.p2p.kcp.internal;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jctools.queues.MessagePassingQueue;

/**
 * Calls a network's plugins off the event loop: events go into a lock-free queue and one task at
 * a time, on an executor shared by every network in the JVM, drains it. So each network's
 * callbacks are serial and in order, messages from one sender stay in the order they arrived, and
 * a hundred networks in one process share a handful of threads.
 *
 * <p>Received messages are bounded in bytes: {@link #hasRoom()} turns false past the limit and
 * the transport stops reading until the plugins catch up (KCP's window then holds the sender
 * back), so a slow plugin slows its peers instead of losing or hoarding messages. When room comes
 * back it runs the {@link #onRoom(Runnable)} callback (the session layer's) on the draining thread.
 *
 * <p>Owns the plugin list, the event queue and the byte count; touches nothing of the transport
 * but that one callback.
 */
final class PluginDispatcher {

    private static final System.Logger LOG = System.getLogger(PluginDispatcher.class.getName());
    private static final int BATCH = 256;

    private final Network network;
    private final Executor executor;
    private final long maxPendingBytes;
    /** Told when room comes back after {@link #hasRoom()} said no: the session layer, once listening. */
    private volatile Runnable onRoom = () -> { };
    private final List<Plugin> plugins = new CopyOnWriteArrayList<>();
    private final MessagePassingQueue<Event> queue = Queues.unbounded(1024);
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicBoolean roomWanted = new AtomicBoolean();
    private boolean pluginsClosed; // only the drainer touches it, and drains never overlap
    private volatile Thread drainer;

    /** One thing for the plugins to hear. */
    private record Event(Consumer<Plugin> call, Plugin only, int bytes, CountDownLatch done) {}

    PluginDispatcher(Network network, Executor executor, long maxPendingBytes) {
        this.network = network;
        this.executor = executor;
        this.maxPendingBytes = maxPendingBytes;
    }

    /** Who to tell when room comes back (on the thread that made it); set before the first {@link #hasRoom()}. */
    void onRoom(Runnable whenRoom) {
        this.onRoom = whenRoom;
    }

    List<Plugin> plugins() {
        return plugins;
    }

    long failures() {
        return failures.get();
    }

    /** Registers a plugin; it starts now if started is true. */
    void register(Plugin plugin, boolean started) {
        plugins.add(plugin);
        if (started) {
            submit(new Event(p -> p.startup(network), plugin, 0, null));
        }
    }

    /** Starts every plugin registered so far. */
    void startAll() {
        for (Plugin plugin : plugins) {
            submit(new Event(p -> p.startup(network), plugin, 0, null));
        }
    }

    void nodeAdded(NodeAddress node) {
        submit(new Event(p -> p.nodeAdded(node), null, 0, null));
    }

    void nodeDeleted(NodeAddress node) {
        submit(new Event(p -> p.nodeDeleted(node), null, 0, null));
    }

    /** True while received messages waiting for the plugins stay under the byte limit. */
    boolean hasRoom() {
        if (pendingBytes.get() < maxPendingBytes) {
            return true;
        }
        roomWanted.set(true);
        // Re-check: the drainer may have made room between the first read and the flag
        // (then a spurious onRoom follows, which is harmless).
        return pendingBytes.get() < maxPendingBytes;
    }

    void message(Message message) {
        int bytes = message.body().remaining() + 64;
        pendingBytes.addAndGet(bytes);
        submit(new Event(p -> p.newMessage(message), null, bytes, null));
    }

    /**
     * Closes every plugin after the events already queued, and waits for that unless called from
     * a plugin callback (which cannot wait for itself).
     */
    void close(long timeout, TimeUnit unit) {
        CountDownLatch done = new CountDownLatch(1);
        submit(new Event(Plugin::close, null, 0, done));
        if (Thread.currentThread() == drainer) {
            return;
        }
        try {
            if (!done.await(timeout, unit)) {
                LOG.log(System.Logger.Level.WARNING, "plugins did not close within " + timeout + " " + unit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void submit(Event event) {
        queue.offer(event);
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false); // the shared executor is shutting down: nothing left to call
            }
        }
    }

    private void drain() {
        drainer = Thread.currentThread();
        try {
            for (int i = 0; i < BATCH; i++) {
                Event event = queue.poll();
                if (event == null) {
                    break;
                }
                deliver(event);
            }
        } finally {
            drainer = null;
            scheduled.set(false);
        }
        // Another batch if events came meanwhile; yielding between batches keeps networks fair.
        if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
            }
        }
    }

    private void deliver(Event event) {
        boolean isClose = event.done != null;
        if (!pluginsClosed) {
            for (Plugin plugin : event.only != null ? List.of(event.only) : plugins) {
                try {
                    event.call.accept(plugin);
                } catch (VirtualMachineError fatal) {
                    throw fatal;
                } catch (Throwable e) {
                    // A plugin's bug, an AssertionError included, must not cost the others the event, nor
                    // leave its bytes counted against kcp.dispatch-bytes or a close waiting.
                    failures.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "plugin " + plugin.getClass().getName() + " threw", e);
                }
            }
        }
        if (event.bytes > 0) {
            long left = pendingBytes.addAndGet(-event.bytes);
            if (left < maxPendingBytes / 2 && roomWanted.compareAndSet(true, false)) {
                onRoom.run();
            }
        }
        if (isClose) {
            pluginsClosed = true; // nothing reaches a plugin after its close
            event.done.countDown();
        }
    }
}
